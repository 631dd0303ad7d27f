"""`starter.py explain WORKFLOW_ID`: why did the system do what it did?

Answers, from the workflow's own state and its audit trail: which extractor and prompt
version decided, what input it saw, what it returned, which checks passed, which signals
set the confidence, who decided, which side effects happened, and how to roll back.
"""

from __future__ import annotations

import json

from schemas.common.audit import AuditRecord
from schemas.common.money import format_minor
from schemas.invoice.workflow import InvoiceState
from vouchflow.cli.explain_audit import check_lines
from vouchflow.runtime.errors import one_line
from vouchflow.settings import Settings


def _money(amount: int | None, currency: str | None) -> str:
    if amount is None or not currency:
        return "-"
    return format_minor(amount, currency)


def explain_lines(
    state: InvoiceState, trail: list[AuditRecord], chain_ok: bool | None
) -> list[str]:
    out: list[str] = [
        f"Why {state.workflow_id} is {state.status}: {one_line(state.status_reason)}",
        "",
    ]
    event = state.event
    out.append(
        f"Input: {event.filename} ({event.size_bytes:,} bytes, sha256 {event.document_sha256}), "
        f"submitted by {event.submitted_by} via {event.source} "
        f"at {event.received_at:%Y-%m-%d %H:%M:%S} UTC"
    )
    doc = state.document
    if doc is not None:
        if doc.ok:
            out.append(
                f"Read as: {doc.method}, {doc.pages} page(s), {doc.chars:,} characters"
                + (f"; embedded {doc.einvoice_format} e-invoice" if doc.einvoice_format else "")
            )
            if doc.preview:
                preview = " ".join(doc.preview.split())[:200]
                out.append(f"What the extractor saw (start): {preview!r}")
        else:
            out.append(f"Not readable: {doc.bad_input_code}: {one_line(doc.reason or '')}")

    ex = state.extraction
    if ex is not None:
        info = ex.extractor
        who = info.name + (f", model {info.model}" if info.model else "")
        if info.prompt_name:
            who += f", prompt {info.prompt_name} v{info.prompt_version}"
        out += ["", f"Proposed by: {who}"]
        if info.settings:
            out.append(f"  settings: {json.dumps(info.settings)}")
        if ex.usage.input_tokens or ex.usage.output_tokens:
            out.append(
                f"  usage: {ex.usage.input_tokens} in / {ex.usage.output_tokens} out tokens, "
                f"cost {ex.usage.cost_micro_usd / 1_000_000:.6f} USD"
            )
        for attempt in ex.attempts:
            verdict = "valid" if attempt.ok else "invalid: " + "; ".join(attempt.errors)[:200]
            out.append(f"  attempt {attempt.attempt} ({attempt.provider}): {verdict}")
        if state.extraction_attempts:
            out.append("  providers tried: " + "; ".join(state.extraction_attempts))
        inv = ex.invoice
        out.append(
            f"  returned: supplier {inv.supplier_name!r}, number {inv.invoice_number!r}, "
            f"issued {inv.issue_date}, due {inv.due_date}, "
            f"total {_money(inv.total_minor, inv.currency)}, {len(inv.line_items)} line(s)"
        )
        weak = [e for e in ex.evidence if e.certainty < 0.8]
        for evidence in weak[:5]:
            out.append(
                f"  less certain: {evidence.field} = {evidence.value!r} "
                f"({evidence.certainty:.2f}) from {evidence.source_text!r}"
            )
        for flag in ex.injection_flags:
            out.append(f"  injection flag: {flag}")

    a = state.assessment
    if a is not None:
        codes = [f.code for f in a.findings]
        out += check_lines([(f.code, f.severity, one_line(f.message)) for f in a.findings])
        out += ["", f"Confidence {a.confidence.score}/100 from:"]
        for sig in a.confidence.signals:
            out.append(f"  {sig.name:<22} {sig.value:.2f} x weight {sig.weight:g}  {sig.detail}")
        out += ["", f"Route: {a.decision.route}"] + [
            f"  because {one_line(r)}" for r in a.decision.reasons
        ]
        if codes and a.invoice.total_minor != (ex.invoice.total_minor if ex else None):
            out.append(
                f"  totals used: {_money(a.invoice.total_minor, a.invoice.currency)} "
                "(recomputed from the lines)"
            )

    if state.decisions:
        out += ["", "Decisions:"]
        for d in state.decisions:
            verdict = "accepted" if d.accepted else "refused"
            line = (
                f"  {d.at:%Y-%m-%d %H:%M:%S} {d.kind} by {d.actor} ({d.channel or '-'}) "
                f"{verdict}: {one_line(d.reason)}"
            )
            if d.comment:
                line += f" - {d.comment!r}"
            if d.corrections:
                line += f" corrections {json.dumps(d.corrections)}"
            out.append(line)

    done = [e for e in state.effects if e.status != "intended"]
    if done:
        out += ["", "Side effects:"]
        for e in done:
            out.append(f"  {e.at:%Y-%m-%d %H:%M:%S} {e.effect}: {e.status} {e.detail}")

    out += ["", f"Audit trail: {len(trail)} record(s)"]
    if chain_ok is not None:
        out.append(
            f"  hash chain: {'verified' if chain_ok else 'BROKEN - run: starter.py audit verify'}"
        )
    out.append(f"  full trail: .venv/bin/python starter.py audit show {state.workflow_id}")

    out += ["", "How to roll back:"]
    if state.status == "drafted" and state.draft_bill is not None:
        out.append(f"  delete the draft: .venv/bin/python starter.py revert {state.workflow_id}")
    elif state.draft_bill is not None and state.status != "reverted":
        out.append(
            f"  the revert window has closed: delete bill {state.draft_bill.bill_id} in "
            f"{state.draft_bill.destination} by hand"
        )
    else:
        out.append("  nothing to undo: no draft bill exists")
    if ex is not None and ex.extractor.prompt_name:
        out.append(
            "  a bad prompt version: .venv/bin/python starter.py prompt rollback "
            + ex.extractor.prompt_name
        )
    if state.email_state == "scheduled":
        out.append(
            f"  stop the email: .venv/bin/python starter.py cancel-email {state.workflow_id}"
        )
    return out


def explain_workflow(settings: Settings, workflow_id: str) -> list[str]:
    """`explain WORKFLOW_ID` from the audit log and the blob store alone (invoice or
    ticket): it needs no Temporal server, so it answers after retention or a rebuild."""
    from vouchflow.cli.app import CliError
    from vouchflow.cli.explain_audit import explain_from_audit
    from vouchflow.documents.blobs import LocalBlobStore
    from vouchflow.stores.audit import AuditRowError, open_audit_store

    store = open_audit_store(settings)
    try:
        trail = store.trail(workflow_id)
        children = [
            str(r.payload.get("child_workflow_id"))
            for r in trail
            if r.type in ("shadow.started", "reconciliation.requested")
        ]
        related = {child: store.trail(child) for child in children}
    except AuditRowError as err:
        raise CliError(str(err)) from None
    if not [r for r in trail if r.run_id != "cli"]:
        raise CliError(f"no workflow with id {workflow_id[:200]}")
    blobs = LocalBlobStore(settings.blob_dir)

    def read_blob(sha256: str) -> str | None:
        try:
            return blobs.get_text(sha256)
        except (KeyError, ValueError, OSError, RuntimeError):
            return None

    return explain_from_audit(
        workflow_id,
        trail,
        read_blob=read_blob,
        related=related,
        chain_ok=store.verify().ok,
    )
