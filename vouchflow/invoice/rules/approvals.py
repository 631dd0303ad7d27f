"""Who may approve or reject an invoice under review.

Approvals check the approver list, segregation of duties (nobody approves what
they submitted), that the invoice can be drafted at all, that its validation errors
are resolved (or overridden by an approver allowed to), and the approver's
per-currency limit on the absolute total (a credit note needs the same authority as
a bill of that size). A rejection only stops a draft from being made, so any listed
approver may reject.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.common.money import format_minor, is_supported_currency
from schemas.invoice.assessment import Finding
from schemas.invoice.invoice import Invoice
from vouchflow.invoice.rules.identifiers import normalise_identifier
from vouchflow.invoice.rules.sections import PolicySections
from vouchflow.settings.config import Approver


class ApprovalCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed: bool
    reason: str


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def find_approver(reviewer: str, settings: PolicySections) -> Approver | None:
    for approver in settings.approval.approvers:
        if _same_person(approver.id, reviewer):
            return approver
    return None


_SHOWN_ERRORS = 5


def draft_blockers(invoice: Invoice) -> list[str]:
    """What a draft can never lack, whoever approves: the duplicate key (supplier and
    number, with letters or digits in them), a supported currency code exactly as
    written, and the total; and an invoice (not a credit note) never has a negative
    total."""
    missing = [
        label
        for name, label in (("supplier_name", "supplier"), ("invoice_number", "invoice number"))
        if normalise_identifier(getattr(invoice, name)) is None
    ]
    if not invoice.currency or not invoice.currency.strip():
        missing.append("currency")
    if invoice.total_minor is None:
        missing.append("total")
    blockers = []
    if missing:
        blockers.append(f"the invoice has no {', '.join(missing)}")
    if (
        invoice.currency
        and invoice.currency.strip()
        and not is_supported_currency(invoice.currency)
    ):
        shown = invoice.currency.encode("unicode_escape").decode("ascii")[:20]
        blockers.append(f"the currency '{shown}' is not a supported ISO 4217 code")
    if invoice.document_type == "invoice" and (invoice.total_minor or 0) < 0:
        blockers.append(
            "the total is negative on an invoice (set document_type to credit_note if it is"
            " a credit note)"
        )
    return blockers


def _listed(messages: list[str]) -> str:
    shown = "; ".join(messages[:_SHOWN_ERRORS])
    if len(messages) > _SHOWN_ERRORS:
        shown += f"; and {len(messages) - _SHOWN_ERRORS} more"
    return shown


def check_approval(
    *,
    reviewer: str,
    submitted_by: str,
    invoice: Invoice,
    settings: PolicySections,
    action: Literal["approve", "reject"] = "approve",
    findings: Sequence[Finding] = (),
    override_errors: bool = False,
) -> ApprovalCheck:
    """May `reviewer` take `action`? Approval rules, in order: a listed approver; not the
    submitter; nothing a draft can never lack (no override can skip this); validation
    errors resolved with corrections, or overridden by an approver allowed to; the
    approver's limit for the currency, applied to the absolute total."""
    approver = find_approver(reviewer, settings)
    if approver is None:
        return ApprovalCheck(allowed=False, reason=f"{reviewer!r} is not a listed approver")
    if action == "reject":
        return ApprovalCheck(allowed=True, reason=f"{approver.id} may reject any invoice")
    if _same_person(reviewer, submitted_by):
        return ApprovalCheck(
            allowed=False,
            reason=f"{approver.id} submitted this invoice and cannot also approve it",
        )
    blockers = draft_blockers(invoice)
    if blockers:
        return ApprovalCheck(
            allowed=False,
            reason=(
                f"{'; '.join(blockers)}: approve with corrections that supply them"
                " (no override can draft without them)"
            ),
        )
    errors = [f.message for f in findings if f.severity == "error"]
    overriding = ""
    if errors:
        if not override_errors:
            return ApprovalCheck(
                allowed=False, reason=f"resolve with corrections: {_listed(errors)}"
            )
        if not approver.may_override_errors:
            return ApprovalCheck(
                allowed=False,
                reason=(
                    f"{approver.id} may not override validation errors; resolve with"
                    f" corrections: {_listed(errors)}"
                ),
            )
        overriding = f"; overriding {len(errors)} validation error(s): {_listed(errors)}"
    currency, total = invoice.currency, invoice.total_minor
    assert currency is not None and total is not None
    limit = approver.limits_minor.get(currency)
    if limit is None:
        return ApprovalCheck(
            allowed=False, reason=f"{approver.id} has no approval limit for {currency}"
        )
    if abs(total) > limit:
        return ApprovalCheck(
            allowed=False,
            reason=(
                f"total {format_minor(total, currency)} is above {approver.id}'s approval limit"
                f" {format_minor(limit, currency)}"
                + (" (limits apply to the absolute amount)" if total < 0 else "")
            ),
        )
    return ApprovalCheck(
        allowed=True,
        reason=(
            f"{approver.id} may approve up to {format_minor(limit, currency)}; total is"
            f" {format_minor(total, currency)}{overriding}"
        ),
    )
