"""Approval policy: listed approvers, per-currency limits, segregation of duties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from policy.approvals import check_approval
from schemas.invoice import Invoice
from settings.config import Settings, load_settings


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
