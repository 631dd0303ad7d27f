"""The plain rules that fold a purchase-order reconciliation into an invoice's route, and
the `explain` lines for it, without Temporal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError, ChildWorkflowError, RetryState, TimeoutError

from schemas.common.audit import AuditRecord
from schemas.invoice.assessment import Assessment, RouteDecision
from schemas.reconciliation.agent import ProposedMatch, Verification
from schemas.reconciliation.findings import Finding
from schemas.reconciliation.workflow import ReconciliationResult
from tests.policy_builders import TODAY, make_extraction, make_invoice
from vouchflow.cli.explain_audit import explain_from_audit
from vouchflow.invoice.rules.assess import assess
from vouchflow.invoice.rules.reconcile import (
    reconciliation_enabled,
    route_with_reconciliation,
    should_reconcile,
    touched_match_fields,
)
from vouchflow.reconciliation.routing import reconciliation_review_reasons
from vouchflow.reconciliation.settings import load_policy
from vouchflow.settings import Settings, load_settings
from workflows.invoice.reconcile import _failed

AUTO = RouteDecision(route="auto_draft", reasons=["all checks passed"])
REVIEW = RouteDecision(route="review", reasons=["total above the auto-draft limit"])


def result(status: str = "escalated", kind: str = "amount_mismatch", **kw: Any) -> Any:
    return ReconciliationResult(
        status=status,
        decided_by=kw.pop("decided_by", "code"),
        finding=Finding(kind=kind, reason=kw.pop("reason", f"{kind} with PO PO-1")),
        **kw,
    )


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def test_off_unless_configured_and_only_a_boolean_turns_it_on() -> None:
    assert reconciliation_enabled({}) is False
    assert reconciliation_enabled({"reconciliation": {"agent": "none"}}) is False
    assert reconciliation_enabled({"reconciliation": {"enabled": True}}) is True
    assert reconciliation_enabled({"reconciliation": {"enabled": False}}) is False
    with pytest.raises(ValueError, match="enabled must be true or false"):
        reconciliation_enabled({"reconciliation": {"enabled": "yes"}})


def test_the_enabled_switch_is_not_part_of_the_childs_policy(settings: Settings) -> None:
    section = {"enabled": True, "tolerance_minor": 250}
    configured = settings.model_copy(update={"integrations": {"reconciliation": section}})
    assert load_policy(configured).tolerance_minor == 250


def test_a_match_keeps_the_route() -> None:
    matched = result("matched", "matched")
    assert route_with_reconciliation(AUTO, reconciliation_review_reasons(matched)) == AUTO
    assert route_with_reconciliation(REVIEW, reconciliation_review_reasons(matched)) == REVIEW


@pytest.mark.parametrize("kind", ["amount_mismatch", "no_po", "partially_received", "po_closed"])
def test_a_finding_turns_auto_draft_into_review_with_only_the_finding(kind: str) -> None:
    decision = route_with_reconciliation(AUTO, reconciliation_review_reasons(result(kind=kind)))
    assert decision.route == "review"
    assert decision.reasons == [f"purchase order: {kind} with PO PO-1"]


def test_a_finding_is_added_to_a_reviews_reasons() -> None:
    decision = route_with_reconciliation(REVIEW, reconciliation_review_reasons(result()))
    assert decision.route == "review"
    assert decision.reasons == [*REVIEW.reasons, "purchase order: amount_mismatch with PO PO-1"]


def test_an_unverified_proposal_and_a_failed_run_go_to_review() -> None:
    proposal = ProposedMatch(po_number="PO-9", line_numbers=[1], explanation="looks right")
    unverified = result(
        kind="ambiguous",
        decided_by="agent",
        proposal=proposal,
        verification=Verification(po_number="PO-9", verified=False, problems=["PO PO-9 is closed"]),
    )
    decision = route_with_reconciliation(AUTO, reconciliation_review_reasons(unverified))
    assert decision.route == "review"
    assert any("proposed PO PO-9" in r and "PO PO-9 is closed" in r for r in decision.reasons)
    failed = result("failed", "no_po", decided_by="nobody", reason="store down")
    failed = failed.model_copy(update={"reason": "store down"})
    decision = route_with_reconciliation(AUTO, reconciliation_review_reasons(failed))
    assert (
        decision.route == "review" and "reconciliation failed (store down)" in decision.reasons[0]
    )


@pytest.mark.parametrize("route", ["flag", "reject_input"])
def test_flags_and_rejected_inputs_stay_as_they_are(route: str) -> None:
    decision = RouteDecision(route=route, reasons=["duplicate"])
    assert route_with_reconciliation(decision, ["purchase order: no PO"]) == decision


def assessed(settings: Settings, **invoice: Any) -> tuple[Assessment, Any]:
    extraction = make_extraction(make_invoice(**invoice))
    return (
        assess(extraction, duplicates=[], today=TODAY, settings=settings, text_method="native"),
        extraction,
    )


def test_invoices_on_routes_a_match_can_change_are_reconciled(settings: Settings) -> None:
    assessment, extraction = assessed(settings)
    assert assessment.decision.route == "auto_draft"
    assert should_reconcile(assessment, extraction)
    note, extraction = assessed(settings, document_type="credit_note")
    assert not should_reconcile(note, extraction)
    flagged = assessment.model_copy(
        update={"decision": RouteDecision(route="flag", reasons=["duplicate"])}
    )
    assert not should_reconcile(flagged, extraction)
    closed = extraction.model_copy(update={"failed_closed": True})
    assert not should_reconcile(assessment, closed)


def test_corrections_that_touch_what_the_match_used_are_named() -> None:
    assert touched_match_fields({"total_minor": 1, "due_date": "2026-01-01"}) == ["total_minor"]
    assert touched_match_fields({"supplier_name": "x", "invoice_number": "y"}) == [
        "invoice_number",
        "supplier_name",
    ]
    assert touched_match_fields({"due_date": "2026-01-01"}) == []


def record(type_: str, payload: dict[str, Any], workflow_id: str = "invoice-1") -> AuditRecord:
    return AuditRecord(
        seq=1,
        workflow_id=workflow_id,
        run_id="run-1",
        type=type_,
        payload=payload,
        created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        idempotency_key=type_,
        prev_hash="0",
        hash="1",
    )


def test_explain_falls_back_to_the_routing_record_without_the_childs_trail() -> None:
    child = "invoice-1:reconciliation"
    kept = {
        "workflow_id": child,
        "status": "escalated",
        "decided_by": "code",
        "po_number": "PO-1",
        "finding": {"kind": "amount_mismatch", "reason": "over by GBP 21.90"},
        "reasons": ["purchase order: over by GBP 21.90"],
    }
    trail = [
        record("reconciliation.requested", {"child_workflow_id": child}),
        record(
            "decision.routed",
            {"route": "review", "reasons": kept["reasons"], "findings": [], "reconciliation": kept},
        ),
    ]
    text = "\n".join(explain_from_audit("invoice-1", trail, read_blob=lambda _sha: None))
    assert f"Reconciliation (purchase-order matching) (child {child}):" in text
    assert "result: escalated (decided by code): amount_mismatch: over by GBP 21.90" in text

    finished = record(
        "reconciliation.finished",
        {"status": "escalated", "decided_by": "code", "po_number": "PO-1", "reason": "over"},
        workflow_id=child,
    )
    text = "\n".join(
        explain_from_audit(
            "invoice-1", trail, read_blob=lambda _sha: None, related={child: [finished]}
        )
    )
    assert f"Reconciliation (purchase-order matching): (child {child})" in text
    assert "result: escalated (decided by code), PO PO-1: over" in text


def test_no_reconciliation_no_lines() -> None:
    trail = [record("decision.routed", {"route": "auto_draft", "reasons": [], "findings": []})]
    text = "\n".join(explain_from_audit("invoice-1", trail, read_blob=lambda _sha: None))
    assert "Reconciliation" not in text


def child_error(cause: BaseException) -> ChildWorkflowError:
    err = ChildWorkflowError(
        "child failed",
        namespace="default",
        workflow_id="invoice-1:reconciliation",
        run_id="r",
        workflow_type="ReconciliationWorkflow",
        initiated_event_id=1,
        started_event_id=2,
        retry_state=RetryState.TIMEOUT,
    )
    err.__cause__ = cause
    return err


def test_a_child_that_did_not_finish_is_a_failed_result_that_goes_to_review() -> None:
    timed_out = _failed(child_error(TimeoutError("t", type=None, last_heartbeat_details=[])))
    assert timed_out.status == "failed" and timed_out.decided_by == "nobody"
    assert timed_out.reason == "the reconciliation workflow did not finish: timed out"
    crashed = _failed(child_error(ApplicationError("boom", type="X")))
    assert crashed.reason == "the reconciliation workflow did not finish: boom"
    decision = route_with_reconciliation(AUTO, reconciliation_review_reasons(crashed))
    assert decision.route == "review"
