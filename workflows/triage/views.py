"""What a triage workflow shows: search attributes, current details, notification text.
Pure functions of the state; every published value bounded."""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeUpdate

from schemas.triage.state import TriageState
from vouchflow.runtime import search_attributes as sa
from vouchflow.stores.redact import clean_text
from workflows.common.bounds import bounded_keyword


def search_attribute_updates(state: TriageState) -> list[SearchAttributeUpdate[Any]]:
    updates: list[SearchAttributeUpdate[Any]] = [sa.STATUS.value_set(state.status)]
    shown = state.final or (state.classification.classification if state.classification else None)
    if shown is not None:
        updates.append(sa.CONFIDENCE.value_set(round(shown.confidence * 100)))
    if state.route is not None:
        updates.append(sa.ROUTE.value_set(bounded_keyword(state.route.route)))
    if state.prompt_version:
        updates.append(sa.PROMPT_VERSION.value_set(bounded_keyword(state.prompt_version)))
    return updates


def current_details(state: TriageState) -> str:
    ticket = state.event.ticket
    lines = [
        f"**Ticket {clean_text(ticket.id, 128)}**: {clean_text(ticket.subject, 200)}",
        f"Status: {state.status} — {clean_text(state.status_reason, 500)}",
    ]
    if state.context is not None:
        arr = state.context.arr
        lines.append(
            f"Customer {clean_text(state.context.customer_id, 128)}: plan"
            f" {clean_text(state.context.plan, 64)}, ARR {arr.amount_minor} {arr.currency}"
            f" (minor units), {state.context.source}"
        )
    if state.classification is not None:
        c = state.classification.classification
        lines.append(
            f"Classified {c.category}/{c.urgency} at {c.confidence:.2f}"
            f" by {clean_text(state.classification.classifier.label, 200)}"
        )
    if state.final is not None and state.reviewed_by:
        lines.append(
            f"Reviewed by {state.reviewed_by}: {state.final.category}/{state.final.urgency}"
        )
    if state.route is not None:
        lines.append(f"Route: {state.route.route} -> {clean_text(state.route.queue, 128)}")
    if state.escalation_ref:
        lines.append(f"Escalation: {clean_text(state.escalation_ref, 300)}")
    return "\n".join(lines)


def summary_lines(state: TriageState) -> list[str]:
    ticket = state.event.ticket
    lines = [f"Ticket {ticket.id}: {ticket.subject}"]
    if state.classification is not None:
        c = state.classification.classification
        lines.append(f"Classifier: {state.classification.classifier.label}")
        lines.append(f"Proposed: {c.category}, urgency {c.urgency}, confidence {c.confidence:.2f}")
        lines.append(f"Why: {c.reason}")
    if state.final is not None and state.reviewed_by:
        final = state.final
        lines.append(f"Reviewed by {state.reviewed_by}: {final.category}, urgency {final.urgency}")
    if state.route is not None:
        lines.append(f"Route: {state.route.route} -> {state.route.queue}")
        lines += [f"- {reason}" for reason in state.route.reasons[:10]]
    if state.status_reason:
        lines.append(f"Status: {state.status} ({state.status_reason})")
    return lines


def notification_facts(state: TriageState) -> dict[str, str]:
    facts = {
        "Ticket": state.event.ticket.id,
        "Customer": state.event.customer.id,
    }
    if state.context is not None:
        facts["Plan"] = state.context.plan
    shown = state.final or (state.classification.classification if state.classification else None)
    if shown is not None:
        facts["Category"] = shown.category
        facts["Urgency"] = shown.urgency
        facts["Confidence"] = f"{shown.confidence:.2f}"
    if state.route is not None:
        facts["Queue"] = state.route.queue
    return facts


def escalation_description(state: TriageState) -> list[str]:
    """The Jira issue's body: the facts a support engineer needs, nothing secret."""
    ticket, customer = state.event.ticket, state.event.customer
    lines = [
        f"Ticket {ticket.id} ({ticket.channel}, {ticket.language}) from customer {customer.id}.",
        f"Subject: {ticket.subject}",
    ]
    if state.context is not None:
        arr = state.context.arr
        lines.append(
            f"Plan {state.context.plan}, ARR {arr.amount_minor} {arr.currency} (minor units),"
            f" region {state.context.region}; failed or disputed charges:"
            f" {state.context.failed_charges}; overdue invoices: {state.context.overdue_invoices}."
        )
    lines += summary_lines(state)[1:]
    lines.append(f"Workflow: {state.workflow_id} (event {state.event.event_id}).")
    return [clean_text(line, 2000) for line in lines]
