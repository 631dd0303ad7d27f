"""Versioned trigger events. A new incompatible shape gets a new version number."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class InvoiceReceivedV1(BaseModel):
    """`invoice.received` v1: a document arrived and is stored in the blob store."""

    model_config = ConfigDict(extra="forbid")

    event_type: Literal["invoice.received"] = "invoice.received"
    event_version: Literal[1] = 1
    event_id: str = Field(description="unique per delivery; deterministic for the same document")
    source: Literal["cli", "webhook", "folder", "api", "demo", "bench"] = "cli"
    filename: str
    content_type: str | None = None
    document_sha256: str = Field(description="blob store key and idempotency key")
    size_bytes: int
    submitted_by: str = "unknown"
    # Proof of who submitted (a `submit` token bound to the workflow id). Without a
    # verified proof the submitter counts as nobody: four-eyes then rests on the approver.
    submitter_token: str | None = Field(default=None, max_length=4096)
    received_at: dt.datetime
