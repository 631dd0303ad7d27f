"""How an invoice workflow presents itself: summaries, notification facts, the email,
what it waits for, and its search attributes. Pure functions of the state (and the
settings snapshot), so they are deterministic and testable without Temporal."""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeUpdate

from schemas.common.effects import EmailMessage
from schemas.common.money import format_minor
from schemas.invoice.workflow import InvoiceState
from vouchflow.runtime import search_attributes as sa
from vouchflow.settings.config import Settings
from vouchflow.stores.redact import clean_text
from workflows.common.bounds import bounded_int, bounded_keyword

# Document-derived text (file names, supplier names, numbers, reasons) is shown one line
# per field: a line break in a file name must not forge a "Status: ..." line.
NAME_MAX = 200
REASON_MAX = 500


def _t(value: object, limit: int = NAME_MAX) -> str:
    return clean_text(value, limit)


def waiting_text(state: InvoiceState, settings: Settings | None) -> str:
    if state.status == "awaiting_approval" and settings is not None:
        approvers = ", ".join(a.id for a in settings.approval.approvers)
        return f"approve or reject by one of: {approvers}"
    if state.status == "drafted":
        if state.email_state == "scheduled" and state.email_due_at:
            due = f"{state.email_due_at:%Y-%m-%d %H:%M:%S}"
            return f"email at {due} UTC (cancel_email stops it); revert possible"
        return "revert possible until the revert window closes"
    return ""


def current_details(state: InvoiceState) -> str:
    details = f"**{state.status}**: {_t(state.status_reason, REASON_MAX)}"
    if state.waiting_for:
        details += f"\n\nWaiting for: {_t(state.waiting_for, REASON_MAX)}"
    return details


def search_attribute_updates(state: InvoiceState) -> list[SearchAttributeUpdate[Any]]:
    """Every value bounded (length, 64-bit range): data must never fail a workflow task."""
    updates: list[SearchAttributeUpdate[Any]] = [sa.STATUS.value_set(state.status)]
    if state.assessment is not None:
        inv = state.assessment.invoice
        supplier = bounded_keyword(inv.supplier_name or "")
        updates.append(sa.SUPPLIER.value_set(supplier) if supplier else sa.SUPPLIER.value_unset())
        total = bounded_int(inv.total_minor) if inv.total_minor is not None else None
        updates.append(
            sa.TOTAL_MINOR.value_set(total) if total is not None else sa.TOTAL_MINOR.value_unset()
        )
        currency = bounded_keyword(inv.currency or "", 16)
        updates.append(sa.CURRENCY.value_set(currency) if currency else sa.CURRENCY.value_unset())
        updates.append(sa.CONFIDENCE.value_set(state.assessment.confidence.score))
        updates.append(sa.ROUTE.value_set(state.assessment.decision.route))
    if state.prompt_version:
        updates.append(sa.PROMPT_VERSION.value_set(bounded_keyword(state.prompt_version)))
    return updates


def summary_lines(state: InvoiceState) -> list[str]:
    lines = [f"Workflow: {_t(state.workflow_id)}", f"File: {_t(state.event.filename)}"]
    if state.assessment is not None:
        inv = state.assessment.invoice
        lines += [
            f"Supplier: {_t(inv.supplier_name or 'unknown')}",
            f"Invoice number: {_t(inv.invoice_number or 'missing')}",
            f"Total: {_t(state.total_text('unknown total'))}",
            f"Due: {inv.due_date.isoformat() if inv.due_date else 'unknown'}",
            f"Confidence: {state.assessment.confidence.score}/100",
            f"Route: {state.assessment.decision.route}",
        ]
        lines += [f"Reason: {_t(r, REASON_MAX)}" for r in state.assessment.decision.reasons]
    recon = state.reconciliation
    if recon is not None:
        po = recon.po_number or "none found"
        lines.append(f"Purchase order: {_t(po)} ({recon.status}, {recon.finding.kind})")
    lines.append(f"Status: {state.status} ({_t(state.status_reason, REASON_MAX)})")
    return lines


def notification_facts(state: InvoiceState) -> dict[str, str]:
    facts: dict[str, str] = {"Status": str(state.status)}
    if state.assessment is not None:
        inv = state.assessment.invoice
        facts.update(
            {
                "Supplier": _t(inv.supplier_name or "unknown"),
                "Invoice number": _t(inv.invoice_number or "missing"),
                "Total": _t(state.total_text("unknown")),
                "Due": inv.due_date.isoformat() if inv.due_date else "unknown",
                "Confidence": f"{state.assessment.confidence.score}/100",
            }
        )
        weakest = sorted(state.assessment.confidence.signals, key=lambda sig: sig.value)[:3]
        facts["Main signals"] = ", ".join(f"{sig.name} {sig.value:.2f}" for sig in weakest)
    decided = [d for d in state.decisions if d.accepted and d.kind in ("approve", "reject")]
    if decided:
        facts["Decided by"] = f"{_t(decided[-1].actor)} ({decided[-1].kind})"
    return facts


def web_url(state: InvoiceState, settings: Settings | None) -> str | None:
    if settings is None:
        return None
    ui = settings.temporal.web_ui_url.rstrip("/")
    return f"{ui}/namespaces/{settings.temporal.namespace}/workflows/{state.workflow_id}"


def draft_bill_email(state: InvoiceState, settings: Settings) -> EmailMessage:
    assert state.assessment is not None
    inv = state.assessment.invoice
    total = format_minor(inv.total_minor or 0, inv.currency or "GBP")
    return EmailMessage(
        workflow_id=state.workflow_id,
        message_id=(
            f"<{state.workflow_id}.draft-bill@vouchflow>"
            if state.rerun is None
            else f"<{state.workflow_id}.rerun-{state.rerun.context.number}.draft-bill@vouchflow>"
        ),
        to=settings.effects.email_to,
        sender=settings.effects.email_from,
        subject=_t(
            f"Draft bill: {_t(inv.supplier_name or 'unknown supplier')} "
            f"{_t(inv.invoice_number or '')} {total}"
        ),
        body="\n".join(summary_lines(state)),
    )
