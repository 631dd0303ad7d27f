"""`explain` for a triage workflow: why was this ticket routed where it is?

From the workflow's state and its audit trail: which classifier (and prompt version)
decided, what it saw, what it returned, which routing rules applied, who confirmed or
corrected it, which effects happened, and how to roll back.
"""

from __future__ import annotations

from schemas.common.audit import AuditRecord
from schemas.triage.state import TriageState
from workflows.common.decision_intake import one_line


def explain_triage_lines(
    state: TriageState, trail: list[AuditRecord], chain_ok: bool | None
) -> list[str]:
    event, ticket = state.event, state.event.ticket
    out = [
        f"Why {state.workflow_id} is {state.status}: {one_line(state.status_reason)}",
        "",
        f"Event: {event.event} {event.event_id} at {event.created_at.isoformat()}",
        f"Ticket {ticket.id} ({ticket.channel}, {ticket.language}):"
        f" {one_line(ticket.subject, 200)} [{len(ticket.body)} characters]",
    ]
    if state.context is not None:
        ctx = state.context
        out.append(
            f"Customer {ctx.customer_id}: plan {ctx.plan}, ARR {ctx.arr.amount_minor}"
            f" {ctx.arr.currency} (minor units), region {ctx.region} (from the {ctx.source});"
            f" history: {len(ctx.recent_tickets)} tickets, {len(ctx.charges)} charges"
            f" ({ctx.failed_charges} failed or disputed), {len(ctx.invoices)} invoices"
            f" ({ctx.overdue_invoices} overdue)"
        )
        out += [f"  note: {one_line(note)}" for note in ctx.notes]
    out += ["", "Classification:"]
    out += [f"  attempt: {a}" for a in state.classifier_attempts]
    result = state.classification
    if result is not None:
        info, c = result.classifier, result.classification
        out.append(f"  decided by: {info.label}")
        if info.prompt_name:
            out.append(f"  prompt: {info.prompt_name} v{info.prompt_version}")
        out.append(
            f"  returned: {c.category}, urgency {c.urgency}, confidence {c.confidence:.2f}"
            f" - {one_line(c.reason)}"
        )
        if result.failed_closed:
            out.append(f"  failed closed: {one_line(result.failure_reason or '')}")
        out += [f"  injection flag: {one_line(f, 160)}" for f in result.injection_flags]
        usage = result.usage
        if usage.input_tokens or usage.output_tokens:
            out.append(
                f"  tokens: {usage.input_tokens} in, {usage.output_tokens} out;"
                f" cost {usage.cost_micro_usd} micro-USD"
            )
    out += ["", "Routing (code, in order; the first rule that applies wins):"]
    for label, route in (("first", state.first_route), ("final", state.route)):
        if route is not None and (label == "first" or route != state.first_route):
            out.append(f"  {label}: {route.route} -> {route.queue}")
            out += [f"    - {one_line(r)}" for r in route.reasons]
    out += ["", "Decisions:"]
    if not state.decisions:
        out.append("  none")
    for d in state.decisions:
        verdict = "accepted" if d.accepted else "refused"
        out.append(f"  {d.kind} by {d.actor} ({d.channel or '-'}) {verdict}: {one_line(d.reason)}")
        out += [f"    {detail}" for detail in d.details]
    if state.correction is not None:
        corr = state.correction
        out.append(
            f"  correction stored: {corr.original.category}/{corr.original.urgency} ->"
            f" {corr.corrected.category}/{corr.corrected.urgency} by {corr.reviewer}"
            f" ({corr.proof})"
        )
    out += ["", "Effects:"]
    out += [
        f"  {e.effect}: {e.status} {one_line(e.detail)}" + (f" [{e.ref}]" if e.ref else "")
        for e in state.effects
        if e.status != "intended"
    ] or ["  none"]
    out += [
        "",
        f"Audit trail: {len(trail)} records"
        + ("" if chain_ok is None else f"; hash chain {'intact' if chain_ok else 'BROKEN'}"),
        "",
        "How to roll back:",
    ]
    if result is not None and result.classifier.prompt_name:
        out.append(
            f"  the prompt: starter.py prompt rollback {result.classifier.prompt_name}"
            " (moves the label; new tickets only)"
        )
    out.append('  the classifier: [triage.classifier] chain = "rules" in vouchflow.toml')
    out.append("  this ticket's route: move it in the triage store's queue table")
    return out
