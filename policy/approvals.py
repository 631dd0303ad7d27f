"""Who may approve or reject an invoice under review.

Approvals check the approver list, the approver's per-currency limit and
segregation of duties (nobody approves what they submitted). A rejection only
stops a draft from being made, so any listed approver may reject.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.invoice import Invoice
from schemas.money import format_minor
from settings.config import Approver, Settings


class ApprovalCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed: bool
    reason: str


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def find_approver(reviewer: str, settings: Settings) -> Approver | None:
    for approver in settings.approval.approvers:
        if _same_person(approver.id, reviewer):
            return approver
    return None


def check_approval(
    *,
    reviewer: str,
    submitted_by: str,
    invoice: Invoice,
    settings: Settings,
    action: Literal["approve", "reject"] = "approve",
) -> ApprovalCheck:
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
    if not invoice.supplier_name:
        return ApprovalCheck(
            allowed=False,
            reason="the invoice has no supplier: approve with corrections that name it",
        )
    currency, total = invoice.currency, invoice.total_minor
    if currency is None or total is None:
        return ApprovalCheck(
            allowed=False,
            reason=(
                "the invoice has no total or currency to check a limit against: approve with"
                " corrections that supply them"
            ),
        )
    limit = approver.limits_minor.get(currency)
    if limit is None:
        return ApprovalCheck(
            allowed=False, reason=f"{approver.id} has no approval limit for {currency}"
        )
    if total > limit:
        return ApprovalCheck(
            allowed=False,
            reason=(
                f"total {format_minor(total, currency)} is above {approver.id}'s approval limit"
                f" {format_minor(limit, currency)}"
            ),
        )
    return ApprovalCheck(
        allowed=True,
        reason=(
            f"{approver.id} may approve up to {format_minor(limit, currency)}; total is"
            f" {format_minor(total, currency)}"
        ),
    )
