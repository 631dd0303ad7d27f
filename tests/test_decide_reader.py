"""How every workflow reads its `decide` update (workflows.common.decision_intake
.decide_reader): a well-formed payload becomes (kind, the signal's fields), anything
else a one-line ValueError the desk refuses and audits. Pure, no Temporal."""

from __future__ import annotations

import pytest

from workflows.invoice.review import DECISIONS as INVOICE
from workflows.proposal.approval import DECISIONS as TIER_CHANGE
from workflows.triage.review import DECISIONS as TICKET

read_invoice = INVOICE.read_request
read_tier_change = TIER_CHANGE.read_request
read_ticket = TICKET.read_request


def test_a_decision_becomes_its_signals_fields() -> None:
    kind, fields = read_invoice({"kind": "reject", "token": "t", "channel": "api"})
    assert kind == "reject"
    # A reject without a reason gets the signal's own default reason.
    assert fields == {"token": "t", "reviewer": "", "reason": "rejected", "channel": "api"}
    kind, fields = read_ticket(
        {"kind": "correct", "token": "t", "category": "billing", "urgency": "high"}
    )
    assert kind == "correct"
    assert (fields["category"], fields["urgency"], fields["reason"]) == (
        "billing",
        "high",
        "corrected",
    )


def test_a_malformed_payload_is_one_line_without_python_internals() -> None:
    with pytest.raises(ValueError) as caught:
        read_invoice({"kind": "approve"})
    assert str(caught.value) == "token: Field required"
    with pytest.raises(ValueError, match="kind: Input should be 'confirm' or 'correct'"):
        read_ticket({"kind": "approve", "token": "t"})


def test_a_kind_the_workflow_does_not_take_is_refused_in_its_words() -> None:
    assert read_tier_change({"kind": "approve", "token": "t"})[0] == "approve"
    # The invoice's `decide` takes a revert; a tier change does not.
    assert read_invoice({"kind": "revert", "token": "t"})[0] == "revert"
    with pytest.raises(ValueError) as caught:
        read_tier_change({"kind": "revert", "token": "t"})
    assert str(caught.value) == "a tier change is approved or rejected, not 'revert'"
