"""Audit records: append-only, hash-chained."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditEntry(BaseModel):
    """What an activity asks the audit store to append.

    `idempotency_key` makes a retried append return the first record instead of
    writing a second one; it derives from the workflow id and the step.
    """

    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    run_id: str
    type: str = Field(description="e.g. 'decision.routed', 'effect.intent', 'effect.outcome'")
    payload: dict[str, Any]
    idempotency_key: str


class AuditBatch(BaseModel):
    """Entries appended in order, in one activity call (each keeps its idempotency key)."""

    model_config = ConfigDict(extra="forbid")

    entries: list[AuditEntry] = Field(min_length=1)


class AuditBatchResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    appended: int
    last_seq: int


class AuditRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int
    workflow_id: str
    run_id: str
    type: str
    payload: dict[str, Any]
    created_at: dt.datetime
    idempotency_key: str
    prev_hash: str
    hash: str


class AuditVerification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    records_checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
