"""What each rollout stage lets act on its own: plain functions, unit-tested without
Temporal. Only routes that would act automatically change; review, flag and
reject_input act on nothing and stay as they are."""

from __future__ import annotations

from schemas.common.rollout import LowRiskLimits, Stage
from schemas.invoice.assessment import Assessment, RouteDecision
from schemas.triage.classification import ClassificationResult
from schemas.triage.state import RouteDecision as TicketRoute


def invoice_risk(assessment: Assessment, limits: LowRiskLimits) -> list[str]:
    """Why this invoice is not low risk (empty: it is). Low risk = the rules would
    auto-draft it anyway, it is an invoice (not a credit note) with a total at or below the
    currency's low-risk cap, its confidence is at least the low-risk minimum, and nothing
    at all was found (not even a warning)."""
    inv = assessment.invoice
    why: list[str] = []
    if assessment.decision.route != "auto_draft":
        why.append(f"the rules route it to {assessment.decision.route}")
    if inv.document_type != "invoice":
        why.append(f"a {inv.document_type.replace('_', ' ')} is never low risk")
    cap = limits.invoice_max_total_minor.get(inv.currency or "")
    if cap is None:
        why.append(f"no low-risk cap for currency {inv.currency or 'unknown'}")
    elif inv.total_minor is None or abs(inv.total_minor) > cap:
        why.append(f"total above the low-risk cap of {cap} minor units")
    if assessment.confidence.score < limits.invoice_min_confidence:
        why.append(
            f"confidence {assessment.confidence.score} below {limits.invoice_min_confidence}"
        )
    worries = [f for f in assessment.findings if f.severity in ("warning", "error")]
    if worries:
        why.append(f"{len(worries)} finding(s) to look at ({worries[0].code})")
    return why


def invoice_route_for_stage(
    stage: Stage, assessment: Assessment, limits: LowRiskLimits
) -> RouteDecision:
    """The route an invoice takes at this stage. shadow and full: the rules' route."""
    decision = assessment.decision
    if decision.route != "auto_draft" or stage in ("full", "shadow"):
        return decision
    if stage == "suggest":
        why = "rollout stage suggest: every invoice goes to a person, the answer pre-filled"
        return RouteDecision(route="review", reasons=[why, *decision.reasons])
    not_low = invoice_risk(assessment, limits)
    if not not_low:
        return decision.model_copy(
            update={"reasons": [*decision.reasons, "rollout stage partial: low risk, acts"]}
        )
    why = "rollout stage partial: not low risk (" + "; ".join(not_low) + ")"
    return RouteDecision(route="review", reasons=[why, *decision.reasons])


def ticket_risk(
    result: ClassificationResult, route: TicketRoute, limits: LowRiskLimits
) -> list[str]:
    """Why this ticket is not low risk (empty: it is). Low risk = a plain category queue
    (an escalation opens an issue, the enterprise queue is for key accounts), not high
    urgency, a confident classifier that did not fail closed and no injection flags."""
    c = result.classification
    why: list[str] = []
    if route.route != "category":
        why.append(f"routed to {route.route}")
    if c.urgency == "high":
        why.append("high urgency")
    if c.confidence < limits.ticket_min_confidence:
        why.append(f"confidence {c.confidence:.2f} below {limits.ticket_min_confidence:.2f}")
    if result.failed_closed:
        why.append("the classifier failed closed")
    if result.injection_flags:
        why.append("instruction-like text in the ticket")
    return why


def ticket_route_for_stage(
    stage: Stage,
    result: ClassificationResult,
    route: TicketRoute,
    limits: LowRiskLimits,
    review_queue: str,
) -> TicketRoute:
    """The first route a ticket takes at this stage (a person's decision is never
    re-staged). shadow and full: the routing rules' route."""
    if route.route == "review" or stage in ("full", "shadow"):
        return route
    if stage == "suggest":
        why = "rollout stage suggest: every ticket goes to a person, the answer pre-filled"
        return TicketRoute(route="review", queue=review_queue, reasons=[why, *route.reasons])
    not_low = ticket_risk(result, route, limits)
    if not not_low:
        return route
    why = "rollout stage partial: not low risk (" + "; ".join(not_low) + ")"
    return TicketRoute(route="review", queue=review_queue, reasons=[why, *route.reasons])
