"""The rollout rules as plain functions, without Temporal: what each stage lets act,
what counts as low risk, shadow agreement, the stages file, what a re-run learns from
the audit trail, the agreement report, and the raw answer as it is stored."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from schemas.common.audit import AuditRecord
from schemas.common.rollout import LowRiskLimits, RolloutSetting
from schemas.invoice.assessment import Assessment, Confidence, Finding, RouteDecision
from schemas.invoice.invoice import Invoice
from schemas.triage.classification import (
    ClassificationResult,
    ClassifierInfo,
    TicketClassification,
)
from schemas.triage.state import RouteDecision as TicketRoute
from tests.conftest import make_settings
from vouchflow.llm.structured import redacted_answer
from vouchflow.rollout.agreement import compare_invoices, compare_tickets
from vouchflow.rollout.config import operator_refusal, operators
from vouchflow.rollout.history import rerun_context
from vouchflow.rollout.report import agreement_lines, shadow_agreement
from vouchflow.rollout.risk import (
    invoice_risk,
    invoice_route_for_stage,
    ticket_route_for_stage,
)
from vouchflow.rollout.stages import RolloutError, read_stage, read_stages, set_stage

LIMITS = LowRiskLimits()


def assessment(
    *, total: int = 28_080, score: int = 98, route: str = "auto_draft", **inv: Any
) -> Assessment:
    return Assessment(
        invoice=Invoice(
            supplier_name="Acme Office Supplies Ltd",
            invoice_number="INV-1",
            currency=inv.pop("currency", "GBP"),
            total_minor=total,
            **inv,
        ),
        findings=[],
        confidence=Confidence(score=score, signals=[]),
        decision=RouteDecision(route=route, reasons=["all checks passed"]),
    )


# ---- invoices ------------------------------------------------------------------------


def test_full_and_shadow_keep_the_rules_route() -> None:
    for stage in ("full", "shadow"):
        assert invoice_route_for_stage(stage, assessment(), LIMITS).route == "auto_draft"


def test_suggest_sends_every_auto_draft_to_review_but_leaves_other_routes() -> None:
    decision = invoice_route_for_stage("suggest", assessment(), LIMITS)
    assert decision.route == "review"
    assert decision.reasons[0].startswith("rollout stage suggest")
    assert decision.reasons[1:] == ["all checks passed"]
    flagged = invoice_route_for_stage("suggest", assessment(route="flag"), LIMITS)
    assert flagged.route == "flag"


def test_partial_acts_only_on_low_risk_invoices() -> None:
    assert invoice_route_for_stage("partial", assessment(), LIMITS).route == "auto_draft"
    for case, why in (
        (assessment(total=50_001), "low-risk cap"),
        (assessment(score=94), "confidence 94 below 95"),
        (assessment(currency="CHF"), "no low-risk cap for currency CHF"),
        (assessment(document_type="credit_note"), "credit note is never low risk"),
    ):
        decision = invoice_route_for_stage("partial", case, LIMITS)
        assert decision.route == "review"
        assert why in decision.reasons[0], decision.reasons
    warned = assessment().model_copy(
        update={"findings": [Finding(code="date.due_soon", severity="warning", message="x")]}
    )
    assert "finding(s) to look at (date.due_soon)" in invoice_risk(warned, LIMITS)[0]
    assert invoice_risk(assessment(total=50_000), LIMITS) == []  # the cap itself is low risk


# ---- tickets ---------------------------------------------------------------------------


def ticket(category: str = "how_to", urgency: str = "low", confidence: float = 0.95) -> Any:
    return ClassificationResult(
        classification=TicketClassification(
            category=category,
            urgency=urgency,
            confidence=confidence,
            reason="r",
        ),
        classifier=ClassifierInfo(kind="rules", name="rules", label="rules"),
    )


def test_ticket_stages() -> None:
    queue = TicketRoute(route="category", queue="support-how-to", reasons=["how_to ticket"])
    assert ticket_route_for_stage("full", ticket(), queue, LIMITS, "triage-review") == queue
    suggested = ticket_route_for_stage("suggest", ticket(), queue, LIMITS, "triage-review")
    assert (suggested.route, suggested.queue) == ("review", "triage-review")
    assert ticket_route_for_stage("partial", ticket(), queue, LIMITS, "triage-review") == queue
    unsure = ticket_route_for_stage(
        "partial", ticket(confidence=0.8), queue, LIMITS, "triage-review"
    )
    assert unsure.route == "review" and "confidence 0.80 below 0.90" in unsure.reasons[0]
    escalation = TicketRoute(route="escalation", queue="billing-escalations", reasons=["urgent"])
    held = ticket_route_for_stage(
        "partial", ticket("billing", "high"), escalation, LIMITS, "triage-review"
    )
    assert held.route == "review" and "routed to escalation" in held.reasons[0]


# ---- agreement -----------------------------------------------------------------------


def test_invoice_agreement_ignores_case_and_spacing_but_not_digits() -> None:
    prod = Invoice(
        supplier_name="Acme Office Supplies Ltd",
        invoice_number="INV-1",
        currency="GBP",
        total_minor=100,
    )
    same = prod.model_copy(update={"supplier_name": "ACME  office supplies ltd"})
    assert compare_invoices(prod, same).agree
    other = compare_invoices(prod, prod.model_copy(update={"total_minor": 101}))
    assert not other.agree and other.agreed_fields == 4 and other.compared_fields == 5
    assert [f.field for f in other.fields if not f.agree] == ["total_minor"]


def test_ticket_agreement_includes_the_route() -> None:
    a = TicketClassification(category="bug", urgency="low", confidence=0.9, reason="x")
    b = a.model_copy(update={"urgency": "high"})
    result = compare_tickets(a, b, production_route="category", candidate_route="review")
    assert not result.agree and result.route_agrees is False


# ---- the stages file and operators ------------------------------------------------------


def test_stages_default_to_full_and_keep_a_history(tmp_path: Path) -> None:
    assert {s.stage for s in read_stages(tmp_path).values()} == {"full"}
    with pytest.raises(RolloutError, match="needs a candidate"):
        set_stage(tmp_path, "invoice", RolloutSetting(stage="shadow"))
    with pytest.raises(RolloutError, match="no rollout for"):
        read_stage(tmp_path, "payroll")
    previous = set_stage(tmp_path, "invoice", RolloutSetting(stage="partial", set_by="alice"))
    assert previous.stage == "full"
    assert read_stage(tmp_path, "invoice").stage == "partial"
    assert read_stage(tmp_path, "triage").stage == "full"
    history = (tmp_path / "rollout" / "stage_history.jsonl").read_text().splitlines()
    assert json.loads(history[-1])["to"]["stage"] == "partial"


def test_operators_are_the_overriding_approvers_unless_listed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert operators(settings) == ["alice"]  # may_override_errors in vouchflow.toml
    assert operator_refusal(settings, "alice") is None
    assert "bob is not a rollout operator" in (operator_refusal(settings, "bob") or "")
    listed = settings.model_copy(
        update={"integrations": {**settings.integrations, "rollout": {"operators": ["carol"]}}}
    )
    assert operator_refusal(listed, "carol") is None and operator_refusal(listed, "alice")


# ---- what a re-run learns from the audit trail ---------------------------------------


def record(seq: int, run: str, type_: str, **payload: Any) -> AuditRecord:
    return AuditRecord(
        seq=seq,
        workflow_id="invoice-1",
        run_id=run,
        type=type_,
        payload=payload,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        idempotency_key=f"k{seq}",
        prev_hash="0" * 64,
        hash="0" * 64,
    )


def test_rerun_context_reads_effects_bill_and_submitter() -> None:
    trail = [
        record(1, "r1", "submission.verified", submitter="clerk"),
        record(2, "r1", "prompt.resolved", name="invoice_extraction", version="2"),
        record(3, "r1", "effect.outcome", effect="post_draft_bill", status="done", ref="LB-1"),
        record(4, "r1", "workflow.finished", status="completed"),
        record(5, "cli", "rerun.requested", operator="alice"),
    ]
    ctx = rerun_context(trail, current_run_id="r2")
    assert ctx.number == 1 and ctx.previous_run_ids == ["r1"]
    assert ctx.live_bill_id == "LB-1" and ctx.proven_submitter == "clerk"
    assert ctx.previous_prompt_versions == ["invoice_extraction@2"]
    assert ctx.previous_status == "completed"
    reverted = [
        *trail,
        record(6, "r2", "rerun.started", operator="alice"),
        record(7, "r2", "effect.outcome", effect="revert_draft_bill", status="done"),
    ]
    later = rerun_context(reverted, current_run_id="r3")
    assert later.number == 2 and later.live_bill_id is None


# ---- the report and the stored raw answer ----------------------------------------------


def test_report_sums_shadow_records() -> None:
    compared = {
        "workflow": "invoice",
        "candidate": "openai:gpt-5-mini invoice_extraction@3",
        "ok": True,
        "tokens": 10,
        "comparison": {
            "agree": False,
            "fields": [
                {"field": "total_minor", "agree": False},
                {"field": "currency", "agree": True},
            ],
        },
    }
    rows = shadow_agreement(
        [
            record(1, "s", "shadow.compared", **compared),
            record(2, "s", "shadow.compared", **{**compared, "comparison": {"agree": True}}),
            record(3, "s", "shadow.compared", **{**compared, "ok": False, "comparison": None}),
        ]
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.compared, row.agreed, row.failed, row.tokens) == (2, 1, 1, 30)
    assert row.field_rate("total_minor") == 0.0
    text = "\n".join(agreement_lines(rows))
    assert "1/2 agreed on every field (50%)" in text and "total_minor      0/1 (0%)" in text


def test_the_raw_answer_is_stored_redacted() -> None:
    raw = json.dumps({"iban": "GB29NWBK60161331926819", "note": "card 4111 1111 1111 1111"})
    stored = redacted_answer(raw)
    assert "GB29NWBK60161331926819" not in stored and "6819" in stored
    assert "4111 1111 1111 1111" not in stored
    assert "60161331926819" not in redacted_answer("pay GB29 NWBK 6016 1331 9268 19 now")
