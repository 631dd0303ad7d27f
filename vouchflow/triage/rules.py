"""Where a ticket goes: routing rules as pure functions (no prompt decides a route).

In order, the first that applies wins:

1. the classification cannot be trusted (confidence below the threshold, a classifier
   that failed closed, instruction-like text in the ticket, a customer whose plan could
   not be checked) -> the review queue;
2. urgent billing (a configured escalation category at a configured urgency) -> the
   escalation queue (and an escalation issue);
3. an enterprise plan -> the enterprise queue;
4. otherwise the category's queue.

After a person confirmed or corrected the classification, rule 1 no longer applies:
the person's word is the certainty.
"""

from __future__ import annotations

from schemas.triage.classification import TicketClassification
from schemas.triage.state import RouteDecision
from vouchflow.triage.settings import RoutingSettings


def needs_review(
    classification: TicketClassification,
    settings: RoutingSettings,
    *,
    failed_closed: bool = False,
    injection_flags: list[str] | None = None,
    context_problem: str | None = None,
) -> list[str]:
    """Why a person must look at this classification first (empty = nobody needs to)."""
    reasons: list[str] = []
    if context_problem:
        reasons.append(f"the customer's context could not be loaded: {context_problem}")
    if failed_closed:
        reasons.append("no classifier produced a valid classification")
    if classification.confidence < settings.review_below_confidence:
        reasons.append(
            f"confidence {classification.confidence:.2f} is below"
            f" {settings.review_below_confidence:.2f}"
        )
    for flag in injection_flags or []:
        reasons.append(f"instruction-like text in the ticket: {flag}")
    return reasons


def is_urgent_escalation(classification: TicketClassification, settings: RoutingSettings) -> bool:
    return (
        classification.category in settings.escalation_categories
        and classification.urgency in settings.escalation_urgencies
    )


def is_enterprise(plan: str, settings: RoutingSettings) -> bool:
    wanted = {p.strip().casefold() for p in settings.enterprise_plans}
    return plan.strip().casefold() in wanted


def category_queue(category: str, settings: RoutingSettings) -> str:
    queues = settings.queues.categories
    return queues.get(category) or queues["other"]


def route_ticket(
    classification: TicketClassification,
    *,
    plan: str,
    settings: RoutingSettings,
    reviewed: bool = False,
    failed_closed: bool = False,
    injection_flags: list[str] | None = None,
    context_problem: str | None = None,
) -> RouteDecision:
    queues = settings.queues
    if not reviewed:
        why = needs_review(
            classification,
            settings,
            failed_closed=failed_closed,
            injection_flags=injection_flags,
            context_problem=context_problem,
        )
        if why:
            return RouteDecision(route="review", queue=queues.review, reasons=why)
    basis = "confirmed by a person" if reviewed else f"confidence {classification.confidence:.2f}"
    if is_urgent_escalation(classification, settings):
        return RouteDecision(
            route="escalation",
            queue=queues.escalation,
            reasons=[f"urgent {classification.category} ({classification.urgency}; {basis})"],
        )
    if is_enterprise(plan, settings):
        return RouteDecision(
            route="enterprise",
            queue=queues.enterprise,
            reasons=[f"enterprise plan {plan!r} ({classification.category}; {basis})"],
        )
    return RouteDecision(
        route="category",
        queue=category_queue(classification.category, settings),
        reasons=[f"{classification.category} ticket ({classification.urgency}; {basis})"],
    )


def apply_correction(
    original: TicketClassification,
    *,
    category: str | None,
    urgency: str | None,
    reason: str,
) -> TicketClassification:
    """The corrected classification; ValueError when it changes nothing."""
    update: dict[str, object] = {}
    if category is not None and category != original.category:
        update["category"] = category
    if urgency is not None and urgency != original.urgency:
        update["urgency"] = urgency
    if not update:
        raise ValueError("the correction changes neither category nor urgency (use confirm)")
    text = " ".join(reason.split())
    text = text if len(text) <= 300 else text[:299] + "…"
    return TicketClassification.model_validate(
        {**original.model_dump(), **update, "confidence": 1.0, "reason": text}
    )


def confirmed(original: TicketClassification, reviewer: str) -> TicketClassification:
    reason = f"confirmed by {reviewer}: {original.reason}"
    return original.model_copy(
        update={"confidence": 1.0, "reason": reason if len(reason) <= 300 else reason[:299] + "…"}
    )
