"""The `support_ticket.created` v1 event: what starts a triage workflow.

The ``event`` field carries the event name and version in one literal,
``"support_ticket.created.v1"``: a consumer can tell the shape from the payload alone,
and an incompatible change gets a new literal (``...v2``) and a new model, never an
edit of this one. Exactly the documented fields are accepted (unknown fields are
refused, so a producer's typo is an error at intake, not a silently empty value).

``event_id`` is the idempotency key: the triage workflow id derives from it, so the
same event delivered twice is one workflow and one set of effects.

``customer.arr`` is money, so it is an integer number of minor units with its ISO 4217
currency, ``{"amount_minor": 1250000, "currency": "EUR"}`` (= EUR 12,500.00), bounded
to a signed 64-bit integer and never negative. A float would round.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, StringConstraints

EVENT_NAME = "support_ticket.created.v1"
INT64_MAX = 2**63 - 1
# A ticket body longer than this is not a support ticket (or is an attack on the
# history size); it is refused at intake with that reason.
MAX_BODY_CHARS = 20_000
MAX_SUBJECT_CHARS = 500

EventId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
ShortId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Channel = Literal["email", "web", "chat", "phone", "api", "social"]


class Money(BaseModel):
    """An amount in integer minor units of an ISO 4217 currency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Strict: "100", 100.0 and true are refused, not coerced (a float may have rounded).
    amount_minor: StrictInt = Field(ge=0, le=INT64_MAX)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class TicketV1(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ShortId
    subject: Annotated[str, StringConstraints(max_length=MAX_SUBJECT_CHARS)]
    body: Annotated[str, StringConstraints(max_length=MAX_BODY_CHARS)]
    channel: Channel
    # BCP 47 language tag, e.g. "en", "de-CH", "pt-BR".
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")]


class CustomerV1(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ShortId
    # Plans are the producer's names ("free", "pro", "enterprise"...), compared
    # case-insensitively with the configured enterprise plans.
    plan: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    arr: Money
    region: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class TicketCreatedV1(BaseModel):
    """`support_ticket.created` v1 (see the module docstring for the field contract)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: Literal["support_ticket.created.v1"]
    event_id: EventId
    created_at: AwareDatetime
    ticket: TicketV1
    customer: CustomerV1


def triage_workflow_id(event_id: str) -> str:
    """Same event, same workflow: a redelivery attaches to the first one."""
    return f"triage-{event_id}"


def received_at(event: TicketCreatedV1) -> dt.datetime:
    return event.created_at
