"""Approval policy: listed approvers, per-currency limits, segregation of duties,
unresolved validation errors and overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from activities.invoice.assessment import AssessmentActivities
from schemas.invoice.assessment import Finding
from schemas.invoice.invoice import Invoice
from schemas.invoice.workflow import ApprovalCheckInput
from tests.policy_builders import make_extraction, make_invoice
from vouchflow.invoice.rules.approvals import check_approval
from vouchflow.invoice.rules.assess import assess
from vouchflow.settings.config import Approver, Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def invoice(total_minor: int | None = 120_000, currency: str | None = "GBP") -> Invoice:
    data: dict[str, Any] = {
        "supplier_name": "Acme Office Supplies Ltd",
        "invoice_number": "INV-7",
        "issue_date": dt.date(2025, 3, 1),
        "currency": currency,
        "total_minor": total_minor,
    }
    return Invoice(**data)


def test_listed_approver_within_limit_may_approve(settings: Settings) -> None:
    check = check_approval(
        reviewer="bob", submitted_by="carol", invoice=invoice(), settings=settings
    )
    assert check.allowed
    assert "GBP 10,000.00" in check.reason


def test_reviewer_id_is_matched_case_insensitively(settings: Settings) -> None:
    check = check_approval(
        reviewer="Bob", submitted_by="carol", invoice=invoice(), settings=settings
    )
    assert check.allowed


def test_unlisted_reviewer_is_refused(settings: Settings) -> None:
    check = check_approval(
        reviewer="mallory", submitted_by="carol", invoice=invoice(), settings=settings
    )
    assert not check.allowed
    assert "not a listed approver" in check.reason


def test_total_above_limit_is_refused_but_at_limit_is_allowed(settings: Settings) -> None:
    over = check_approval(
        reviewer="bob",
        submitted_by="carol",
        invoice=invoice(total_minor=1_000_001),
        settings=settings,
    )
    assert not over.allowed
    assert "above bob's approval limit GBP 10,000.00" in over.reason
    at = check_approval(
        reviewer="bob",
        submitted_by="carol",
        invoice=invoice(total_minor=1_000_000),
        settings=settings,
    )
    assert at.allowed
    higher = check_approval(
        reviewer="alice",
        submitted_by="carol",
        invoice=invoice(total_minor=1_000_001),
        settings=settings,
    )
    assert higher.allowed


def test_no_limit_for_currency_is_refused(settings: Settings) -> None:
    check = check_approval(
        reviewer="alice", submitted_by="carol", invoice=invoice(currency="CHF"), settings=settings
    )
    assert not check.allowed
    assert "no approval limit for CHF" in check.reason


def test_missing_total_is_refused(settings: Settings) -> None:
    check = check_approval(
        reviewer="alice", submitted_by="carol", invoice=invoice(total_minor=None), settings=settings
    )
    assert not check.allowed


def test_submitter_cannot_approve_own_invoice(settings: Settings) -> None:
    check = check_approval(
        reviewer="alice", submitted_by=" ALICE ", invoice=invoice(), settings=settings
    )
    assert not check.allowed
    assert "cannot also approve" in check.reason


def test_any_listed_approver_may_reject_regardless_of_limit_or_submitter(
    settings: Settings,
) -> None:
    huge = invoice(total_minor=99_000_000_000, currency="CHF")
    check = check_approval(
        reviewer="bob", submitted_by="bob", invoice=huge, settings=settings, action="reject"
    )
    assert check.allowed
    stranger = check_approval(
        reviewer="mallory", submitted_by="bob", invoice=huge, settings=settings, action="reject"
    )
    assert not stranger.allowed


# -- validation errors, overrides, and what a draft can never lack -------------------------


def error(message: str, code: str = "arithmetic.total_mismatch") -> Finding:
    return Finding(code=code, severity="error", message=message)


def test_demo_config_gives_exactly_one_approver_the_override_right(settings: Settings) -> None:
    rights = {a.id: a.may_override_errors for a in settings.approval.approvers}
    assert rights == {"alice": True, "bob": False}
    assert Approver(id="new").may_override_errors is False


def test_approval_with_unresolved_errors_is_refused_with_the_errors(settings: Settings) -> None:
    findings = [
        error("subtotal 100 + tax 20 = 120, but the total is 125"),
        Finding(code="required.due_date", severity="warning", message="due date is missing"),
    ]
    check = check_approval(
        reviewer="alice",
        submitted_by="carol",
        invoice=invoice(),
        settings=settings,
        findings=findings,
    )
    assert not check.allowed
    assert (
        check.reason
        == "resolve with corrections: subtotal 100 + tax 20 = 120, but the total is 125"
    )


def test_warnings_alone_do_not_block_approval(settings: Settings) -> None:
    warning = Finding(code="date.due_too_far", severity="warning", message="far")
    check = check_approval(
        reviewer="bob",
        submitted_by="carol",
        invoice=invoice(),
        settings=settings,
        findings=[warning],
    )
    assert check.allowed


def test_override_needs_the_right_to_override(settings: Settings) -> None:
    findings = [error(f"problem {i}") for i in range(8)]
    refused = check_approval(
        reviewer="bob",
        submitted_by="carol",
        invoice=invoice(),
        settings=settings,
        findings=findings,
        override_errors=True,
    )
    assert not refused.allowed
    assert refused.reason.startswith("bob may not override validation errors")
    assert "problem 4; and 3 more" in refused.reason
    allowed = check_approval(
        reviewer="alice",
        submitted_by="carol",
        invoice=invoice(),
        settings=settings,
        findings=findings,
        override_errors=True,
    )
    assert allowed.allowed and "overriding 8 validation error(s)" in allowed.reason


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"invoice_number": None}, "invoice number"),
        ({"invoice_number": "\u200b\u200b"}, "invoice number"),
        ({"invoice_number": " - "}, "invoice number"),
        ({"supplier_name": ""}, "supplier"),
        ({"currency": None}, "currency"),
        ({"total_minor": None}, "total"),
    ],
)
def test_no_override_drafts_without_supplier_number_currency_or_total(
    settings: Settings, changes: dict[str, Any], missing: str
) -> None:
    incomplete = invoice().model_copy(update=changes)
    check = check_approval(
        reviewer="alice",
        submitted_by="carol",
        invoice=incomplete,
        settings=settings,
        findings=[error("something is missing", code="required.x")],
        override_errors=True,
    )
    assert not check.allowed
    assert f"the invoice has no {missing}" in check.reason
    assert "no override" in check.reason


async def test_check_approval_activity_passes_findings_and_override(settings: Settings) -> None:
    assessment = assess(
        make_extraction(make_invoice(total_minor=13_000)),
        duplicates=[],
        today=dt.date(2025, 3, 10),
        settings=settings,
        text_method="pdf_text",
    )
    assert assessment.errors
    activities = AssessmentActivities(deps=None)  # type: ignore[arg-type]
    request = ApprovalCheckInput(
        reviewer="alice",
        submitted_by="carol",
        assessment=assessment,
        policy=settings.invoice_policy(),
        decision="approve",
    )
    plain = await activities.check_approval(request)
    assert not plain.allowed and plain.reason.startswith("resolve with corrections:")
    overridden = await activities.check_approval(
        request.model_copy(update={"override_errors": True})
    )
    assert overridden.allowed and "overriding" in overridden.reason
