"""The review page's HTML: Jinja2 templates (``gateway/templates/review``) with
autoescaping, fed with what the queue, the workflow states and the blob store say.

Every value printed passes through ``_display``: document text may carry bidi overrides,
zero-width or other format characters that would make the page show something other
than what was read, so they become U+FFFD (line breaks stay, for multi-line text), and
autoescaping makes it inert HTML. ``|t(n)`` additionally folds a value to one line of at
most n characters.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from schemas.common.decisions import DecisionRecord
from schemas.common.money import format_minor
from schemas.invoice.extraction import FieldEvidence
from schemas.invoice.invoice import Invoice
from schemas.invoice.workflow import InvoiceState
from schemas.triage.classification import CATEGORIES, URGENCIES
from schemas.triage.state import TriageState
from vouchflow.gateway.review_checks import check_rows
from vouchflow.gateway.review_document import DocumentView
from vouchflow.gateway.review_evidence import without_positions
from vouchflow.gateway.review_form import (
    DECIMAL_PATTERN,
    DOCUMENT_TYPES,
    HEADER_FIELDS,
    LINE_FIELDS,
    MONEY_PATTERN,
    currencies,
    field_label,
    form_values,
    new_line_rows,
)
from vouchflow.gateway.review_queue import WORKFLOW_LABELS, Queue, settled
from vouchflow.gateway.review_reasons import REASON_KINDS
from vouchflow.stores.redact import clean_block, clean_text

# Below this a field's certainty is shown in red (the auto-draft bar's default).
LOW_CERTAINTY = 0.75
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def _display(value: Any) -> Any:
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    return "".join(
        "\ufffd" if unicodedata.category(c) in _HIDDEN and c not in "\n\t" else c for c in value
    )


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


def _money(value: int | None, currency: str | None) -> str:
    if value is None:
        return "-"
    if not currency:
        return f"{value} (minor units, currency unknown)"
    return format_minor(value, currency)


def _corrections(decision: DecisionRecord) -> list[str]:
    """A decision's corrections as 'Total: GBP 8,000.00' lines, never as JSON."""
    fixes = decision.corrections or {}
    currency = fixes.get("currency") if isinstance(fixes.get("currency"), str) else None
    lines = []
    for key, value in fixes.items():
        if key == "line_items" and isinstance(value, list):
            lines.append(f"Lines: {len(value)} line(s) as corrected")
        elif key.endswith("_minor") and isinstance(value, int) and currency:
            lines.append(f"{field_label(key)}: {format_minor(value, currency)}")
        elif key.endswith("_minor") and isinstance(value, int):
            lines.append(f"{field_label(key)}: {value} minor units")
        else:
            lines.append(f"{field_label(key)}: {value if value is not None else '(cleared)'}")
    return [f"corrected {line}" for line in lines]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("vouchflow.gateway", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        finalize=_display,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["t"] = lambda value, limit=500: clean_text(value, limit)
    env.filters["when"] = _when
    env.filters["label"] = field_label
    env.filters["corrections"] = _corrections
    env.filters["evidence"] = without_positions
    return env


_ENV = _environment()


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _ENV.get_template(f"review/{template}").render(**context)
    return HTMLResponse(html, status_code=status_code)


def message_page(
    title: str, message: str, reviewer: str = "", status_code: int = 200
) -> HTMLResponse:
    return render("message.html", status_code, title=title, message=message, reviewer=reviewer)


def queue_page(queue: Queue, *, reviewer: str, workflow: str, reason: str) -> HTMLResponse:
    return render(
        "queue.html",
        title=f"Awaiting a person ({len(queue.items)})",
        reviewer=reviewer,
        queue=queue,
        total=sum(queue.by_workflow.values()),
        workflow=workflow,
        reason=reason,
        workflow_labels=WORKFLOW_LABELS,
        reason_labels=REASON_KINDS,
    )


def _shown_values(invoice: Invoice) -> dict[str, str]:
    cur = invoice.currency
    shown = {
        "supplier_name": invoice.supplier_name or "-",
        "invoice_number": invoice.invoice_number or "-",
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "-",
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "-",
        "currency": cur or "-",
        "document_type": invoice.document_type.replace("_", " "),
    }
    for spec in HEADER_FIELDS:
        if spec.kind == "money":
            shown[spec.name] = _money(getattr(invoice, spec.name), cur)
    return shown


def _lines(invoice: Invoice, marks: Mapping[str, list[int]]) -> list[dict[str, Any]]:
    cur = invoice.currency
    out = []
    for i, line in enumerate(invoice.line_items):
        numbers: list[int] = []
        for spec in LINE_FIELDS:
            for n in marks.get(f"line_items[{i}].{spec.name}", []):
                if n not in numbers:
                    numbers.append(n)
        out.append(
            {
                "description": line.description,
                "quantity": "" if line.quantity is None else str(line.quantity),
                "unit": _money(line.unit_price_minor, cur),
                "tax_rate": "" if line.tax_rate is None else f"{line.tax_rate} %",
                "total": _money(line.line_total_minor, cur),
                "marks": numbers,
            }
        )
    return out


def invoice_page(
    state: InvoiceState,
    *,
    reviewer: str,
    token: str,
    note: str,
    doc: DocumentView,
    evidence: Sequence[FieldEvidence],
    submitted: Mapping[str, str] | None = None,
    errors: Sequence[str] = (),
) -> HTMLResponse:
    assessment = state.assessment
    invoice = assessment.invoice if assessment else Invoice()
    values = form_values(invoice)
    if submitted is not None:
        values.update({k: str(v) for k, v in submitted.items() if k != "form_token"})
    extractor = state.extraction.extractor.name if state.extraction else ""
    number = invoice.invoice_number or state.event.filename
    return render(
        "invoice.html",
        status_code=422 if errors else 200,
        title=f"Invoice {clean_text(number, 80)}",
        reviewer=reviewer,
        note=note,
        state=state,
        assessment=assessment,
        extractor=extractor,
        workflow_id=state.workflow_id,
        token=token,
        doc=doc,
        marks=doc.marks_by_field,
        evidence={ev.field: ev for ev in evidence},
        fields=HEADER_FIELDS,
        shown=_shown_values(invoice),
        lines=_lines(invoice, doc.marks_by_field),
        new_rows=new_line_rows(invoice),
        values=values,
        errors=list(errors),
        checks=check_rows(assessment.findings) if assessment else [],
        min_certainty=LOW_CERTAINTY,
        currencies=currencies(invoice.currency),
        document_types=DOCUMENT_TYPES,
        money_pattern=MONEY_PATTERN,
        decimal_pattern=DECIMAL_PATTERN,
        decisions=state.decisions,
        settled=settled(state.decisions),
        editable=state.status == "awaiting_approval"
        and assessment is not None
        and not settled(state.decisions),
    )


def ticket_page(state: TriageState, *, reviewer: str, token: str, note: str) -> HTMLResponse:
    ticket = state.event.ticket
    route = state.route or state.first_route
    result = state.classification
    return render(
        "ticket.html",
        title=f"Ticket {clean_text(ticket.id, 80)}",
        reviewer=reviewer,
        note=note,
        state=state,
        ticket=ticket,
        body=clean_block(ticket.body, 20_000),
        reasons=list(route.reasons) if route else [state.status_reason],
        proposed=result.classification if result else None,
        classifier=(result.classifier.label or result.classifier.name) if result else "",
        injection_flags=result.injection_flags if result else [],
        decisions=state.decisions,
        workflow_id=state.workflow_id,
        token=token,
        categories=CATEGORIES,
        urgencies=URGENCIES,
        settled=settled(state.decisions),
        editable=state.status == "awaiting_approval" and not settled(state.decisions),
    )
