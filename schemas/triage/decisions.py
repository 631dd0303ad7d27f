"""People confirming or correcting a ticket's classification, and the record kept.

As for invoices, every decision carries ``token``: a short-lived signed JWT bound to
this workflow id and to the action (``confirm`` or ``correct``), verified by the
``verify_decision`` activity before the workflow acts. ``reviewer`` is informational
and must match the token's person when given.

Two ways in: the ``decide`` update (CLI, gateway; the sender gets the outcome) and the
plain-JSON signals ``confirm`` and ``correct`` (``temporal workflow signal``), received
leniently and refused, audited, when malformed or unproven.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.decisions import MAX_TEXT, MAX_TOKEN, Channel
from schemas.triage.classification import Category, TicketClassification, Urgency
from schemas.triage.events import TicketV1

TriageDecisionKind = Literal["confirm", "correct"]


class ConfirmSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(default="", max_length=MAX_TOKEN)
    reviewer: str = Field(default="", max_length=200)
    comment: str = Field(default="", max_length=MAX_TEXT)
    channel: Channel = "temporal-cli"


class CorrectSignal(BaseModel):
    """A correction names the new category and/or urgency and says why."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(default="", max_length=MAX_TOKEN)
    reviewer: str = Field(default="", max_length=200)
    category: Category | None = None
    urgency: Urgency | None = None
    reason: str = Field(min_length=1, max_length=MAX_TEXT)
    channel: Channel = "temporal-cli"


class TriageDecisionRequest(BaseModel):
    """The ``decide`` update of the triage workflow."""

    model_config = ConfigDict(extra="forbid")

    kind: TriageDecisionKind
    token: str = Field(min_length=1, max_length=MAX_TOKEN)
    category: Category | None = None
    urgency: Urgency | None = None
    reason: str = Field(default="", max_length=MAX_TEXT)
    comment: str = Field(default="", max_length=MAX_TEXT)
    channel: Channel = "cli"

    def as_signal(self) -> ConfirmSignal | CorrectSignal:
        if self.kind == "confirm":
            return ConfirmSignal(token=self.token, comment=self.comment, channel=self.channel)
        return CorrectSignal(
            token=self.token,
            category=self.category,
            urgency=self.urgency,
            reason=self.reason or "corrected",
            channel=self.channel,
        )


class CorrectionRecord(BaseModel):
    """A reviewer's correction in structured form: what the classifier said, what the
    person said instead, why, who (proven how). Stored in the triage store and audited;
    corrections are the regression cases of the classifier's evals."""

    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    run_id: str
    ticket_id: str
    original: TicketClassification
    corrected: TicketClassification
    reason: str
    reviewer: str
    proof: str
    channel: str
    at: dt.datetime
    classifier: str
    idempotency_key: str
    # The input the classifier saw, so the correction can be replayed as an eval case.
    ticket: TicketV1 | None = None
    plan: str = ""
