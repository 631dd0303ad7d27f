"""Notifications and email: the messages every workflow sends, each with an idempotency
key derived from the workflow id."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NotificationKind = Literal[
    "approval_request",
    "reminder",
    "escalation",
    "decision",
    "auto_drafted",
    "flagged",
    "rejected_input",
    "reverted",
    "approval_refused",
]


class Notification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    kind: NotificationKind
    idempotency_key: str
    title: str
    lines: list[str] = Field(default_factory=list)
    # Slack: keep the message reference so a decision updates the same message.
    update_ref: str | None = None
    with_buttons: bool = False
    # Which decisions the buttons offer: an invoice's approve/reject, or a ticket's
    # confirm/correct (a button and a menu of category + urgency).
    decisions: Literal["approve_reject", "confirm_correct"] = "approve_reject"
    channels: list[str] = Field(default_factory=list)
    # Structured facts shown as labelled fields (e.g. Supplier, Total, Due, Confidence);
    # `lines` stays the human text.
    facts: dict[str, str] = Field(default_factory=dict)
    # Link to the workflow (Temporal Web UI or review page).
    web_url: str | None = None


class NotificationReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notifier: str
    ref: str | None = Field(default=None, description="e.g. Slack 'channel:ts'")


class EmailMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    message_id: str = Field(description="deterministic, from the workflow id")
    to: list[str]
    sender: str
    subject: str
    body: str


class EmailReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transport: str
    message_id: str
    sent_at: dt.datetime
    location: str | None = None


class EffectRecord(BaseModel):
    """An effect's state as a workflow keeps it (intended, then done / failed / cancelled)."""

    model_config = ConfigDict(extra="forbid")

    effect: str
    status: Literal["intended", "done", "failed", "cancelled", "skipped"]
    at: dt.datetime
    detail: str = ""
    ref: str | None = None
