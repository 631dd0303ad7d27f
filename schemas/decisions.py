"""Human decisions arriving as signals, and what the workflow made of them.

Signal inputs are plain JSON so that `temporal workflow signal --input '{...}'`
works as well as the CLI and the Slack gateway.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApproveSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: str
    comment: str = ""
    # Corrected invoice fields (ground-truth names), re-validated before use.
    corrections: dict[str, Any] | None = None
    channel: Literal["cli", "slack", "temporal-cli", "review-page", "api"] = "temporal-cli"


class RejectSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: str
    reason: str
    channel: Literal["cli", "slack", "temporal-cli", "review-page", "api"] = "temporal-cli"


class CancelEmailSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requested_by: str = "unknown"
    reason: str = ""


class RevertSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requested_by: str = "unknown"
    reason: str = ""


class DecisionRecord(BaseModel):
    """A decision as the workflow saw it, accepted or refused (kept in state)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["approve", "reject", "cancel_email", "revert"]
    actor: str
    accepted: bool
    reason: str
    at: dt.datetime
    channel: str = ""
    comment: str = ""
    corrections: dict[str, Any] | None = None
    details: list[str] = Field(default_factory=list)
