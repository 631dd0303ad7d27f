"""How the CLI shows workflows to people."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from temporalio.common import TypedSearchAttributes

from schemas.common.money import format_minor
from schemas.invoice.workflow import InvoiceState
from vouchflow.runtime import search_attributes as sa
from vouchflow.runtime.errors import one_line

# Piped output (scripts, CI logs) gets a wide console so ids are never folded.
console = Console(width=None if sys.stdout.isatty() else 240)


def summary_table(states: list[InvoiceState], title: str = "Invoices") -> Table:
    table = Table(title=title, show_lines=False)
    for column in (
        "workflow id",
        "file",
        "supplier",
        "invoice no",
        "total",
        "conf",
        "route",
        "status",
    ):
        table.add_column(column, overflow="fold")
    for state in states:
        inv = state.assessment.invoice if state.assessment else None
        reason = why(state)
        table.add_row(
            state.workflow_id,
            state.event.filename,
            (inv.supplier_name if inv else None) or "-",
            (inv.invoice_number if inv else None) or "-",
            state.total_text(),
            str(state.assessment.confidence.score) if state.assessment else "-",
            state.assessment.decision.route if state.assessment else "-",
            f"{state.status}\n[dim]{escape(reason[:160])}[/dim]" if reason else state.status,
        )
    return table


def why(state: InvoiceState) -> str:
    """The one line a person needs: why it is where it is."""
    if state.status in ("awaiting_approval", "flagged") and state.assessment is not None:
        return one_line("; ".join(state.assessment.decision.reasons))
    return one_line(state.status_reason)


def status_lines(state: InvoiceState) -> list[str]:
    lines = [
        f"Workflow:   {state.workflow_id}",
        f"File:       {state.event.filename} (sha256 {state.event.document_sha256[:16]}...)",
        f"Status:     {state.status} - {one_line(state.status_reason)}",
    ]
    if state.waiting_for:
        lines.append(f"Waiting:    {state.waiting_for}")
    if state.assessment is not None:
        a = state.assessment
        inv = a.invoice
        lines += [
            f"Supplier:   {inv.supplier_name or '-'}",
            f"Invoice no: {inv.invoice_number or '-'}",
            f"Dates:      issued {inv.issue_date or '-'}, due {inv.due_date or '-'}",
            f"Total:      {state.total_text()}",
            f"Confidence: {a.confidence.score}/100",
        ]
        for sig in a.confidence.signals:
            lines.append(f"  - {sig.name}: {sig.value:.2f} x{sig.weight:g} {sig.detail}")
        lines.append(f"Route:      {a.decision.route}")
        lines += [f"  because {one_line(r)}" for r in a.decision.reasons]
        for finding in a.findings:
            lines.append(f"  [{finding.severity}] {finding.code}: {one_line(finding.message)}")
    if state.extraction is not None:
        ex = state.extraction.extractor
        lines.append(
            f"Extractor:  {ex.name}"
            + (f" ({ex.prompt_name} v{ex.prompt_version})" if ex.prompt_version else "")
        )
    for decision in state.decisions:
        verdict = "accepted" if decision.accepted else "REFUSED"
        reason = one_line(decision.reason)
        lines.append(
            f"Decision:   {decision.kind} by {decision.actor} {verdict}: {reason}"
            + (f" ({decision.comment})" if decision.comment else "")
        )
    for effect in state.effects:
        if effect.status != "intended":
            lines.append(f"Effect:     {effect.effect} {effect.status} {effect.detail}")
    if state.draft_bill is not None:
        lines.append(
            f"Draft bill: {state.draft_bill.destination} {state.draft_bill.bill_id} "
            f"({state.draft_bill.status})"
        )
    lines.append(
        f"Email:      {state.email_state}"
        + (f" at {state.email_due_at:%Y-%m-%d %H:%M:%S} UTC" if state.email_due_at else "")
    )
    return lines


def listing_row(
    workflow_type: str | None, workflow_id: str, attributes: TypedSearchAttributes
) -> list[str]:
    """One workflow as `list` shows it, from its search attributes alone (no worker needed)."""
    total = attributes.get(sa.TOTAL_MINOR)
    currency = attributes.get(sa.CURRENCY)
    amount = format_minor(total, currency) if total is not None and currency else ""
    confidence = attributes.get(sa.CONFIDENCE)
    return [
        {"InvoiceWorkflow": "invoice", "TriageWorkflow": "ticket"}.get(
            workflow_type or "", workflow_type or "?"
        ),
        workflow_id,
        attributes.get(sa.STATUS) or "",
        attributes.get(sa.ROUTE) or "",
        attributes.get(sa.SUPPLIER) or "",
        amount,
        "" if confidence is None else str(confidence),
    ]


def listing_table(rows: list[list[str]], *, title: str) -> Table:
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("workflow id", no_wrap=True)
    for column in ("status", "route", "supplier", "total", "conf."):
        table.add_column(column)
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    return table
