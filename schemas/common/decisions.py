"""Human decisions arriving as updates or signals, and what the workflow made of them.

Every decision carries ``token``: a short-lived JWT (see ``identity.tokens``) signed
with the decider's own key, or with the gateway's key after Slack or the review page
authenticated them, bound to this workflow id and this action. The typed ``reviewer`` /
``requested_by`` fields are informational only: when present they must match the
token's person, and they are never used as an identity.

Two ways in:
* the ``decide`` update (CLI, gateway): validated before it reaches history, and the
  sender gets the outcome (accepted or refused, and why) as the update's result;
* the signals ``approve``, ``reject``, ``cancel_email`` and ``revert`` (plain JSON, so
  ``temporal workflow signal --input '{...}'`` works): received leniently, validated in
  the workflow, and a malformed or unproven one is refused and audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["cli", "slack", "temporal-cli", "review-page", "api"]
DecisionKind = Literal["approve", "reject", "cancel_email", "revert"]

# Free text from people is bounded so a decision can never bloat history or state.
MAX_TEXT = 2000
MAX_TOKEN = 4096


class ApproveSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(default="", max_length=MAX_TOKEN)
    reviewer: str = Field(default="", max_length=200)
    comment: str = Field(default="", max_length=MAX_TEXT)
    # Corrected invoice fields (ground-truth names), re-validated before use.
    corrections: dict[str, Any] | None = None
    # Approve although validation errors remain (only approvers allowed to override).
    override_errors: bool = False
    channel: Channel = "temporal-cli"


class RejectSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(default="", max_length=MAX_TOKEN)
    reviewer: str = Field(default="", max_length=200)
    reason: str = Field(min_length=1, max_length=MAX_TEXT)
    channel: Channel = "temporal-cli"


class CancelEmailSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(default="", max_length=MAX_TOKEN)
    requested_by: str = Field(default="unknown", max_length=200)
    reason: str = Field(default="", max_length=MAX_TEXT)
    channel: Channel = "temporal-cli"


class RevertSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(default="", max_length=MAX_TOKEN)
    requested_by: str = Field(default="unknown", max_length=200)
    reason: str = Field(default="", max_length=MAX_TEXT)
    channel: Channel = "temporal-cli"


AnyDecisionSignal = ApproveSignal | RejectSignal | CancelEmailSignal | RevertSignal


class DecisionRequest(BaseModel):
    """The ``decide`` update: one decision of any kind, answered with a DecisionReply."""

    model_config = ConfigDict(extra="forbid")

    kind: DecisionKind
    token: str = Field(min_length=1, max_length=MAX_TOKEN)
    comment: str = Field(default="", max_length=MAX_TEXT)
    reason: str = Field(default="", max_length=MAX_TEXT)
    corrections: dict[str, Any] | None = None
    override_errors: bool = False
    channel: Channel = "cli"

    def as_signal(self) -> AnyDecisionSignal:
        if self.kind == "approve":
            return ApproveSignal(
                token=self.token,
                comment=self.comment,
                corrections=self.corrections,
                override_errors=self.override_errors,
                channel=self.channel,
            )
        if self.kind == "reject":
            return RejectSignal(
                token=self.token, reason=self.reason or "rejected", channel=self.channel
            )
        if self.kind == "cancel_email":
            return CancelEmailSignal(token=self.token, reason=self.reason, channel=self.channel)
        return RevertSignal(token=self.token, reason=self.reason, channel=self.channel)


class DecisionReply(BaseModel):
    """What the workflow made of a decision sent by update."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    accepted: bool
    actor: str
    reason: str
    status: str


class VerifyDecisionInput(BaseModel):
    """Input of the ``verify_decision`` activity: is this token proof of this action here?"""

    model_config = ConfigDict(extra="forbid")

    token: str
    workflow_id: str
    # Any action a token can carry (identity.tokens.ACTIONS); checked by the verifier.
    action: str = Field(max_length=32)
    claimed_actor: str = ""


class VerifiedDecision(BaseModel):
    """Who decided (when proven), or why the proof does not hold."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    actor: str = ""
    channel: str = ""
    issuer: str = ""
    token_id: str = ""
    reason: str = ""


class DecisionRecord(BaseModel):
    """A decision as the workflow saw it, accepted or refused (kept in state)."""

    model_config = ConfigDict(extra="forbid")

    # The decision's kind (approve, reject, cancel_email, revert, confirm, correct, ...),
    # or "malformed" for a payload that could not be read.
    kind: str = Field(max_length=32)
    actor: str
    accepted: bool
    reason: str
    at: dt.datetime
    channel: str = ""
    comment: str = ""
    corrections: dict[str, Any] | None = None
    details: list[str] = Field(default_factory=list)
    # How the actor was proven: "token:<issuer>/<jti>", or "unverified" on refusals.
    proof: str = ""
