"""Metrics read off the audit trail.

Every workflow writes what happened to the audit log before it acts, so each record
that is appended for the first time says exactly one thing a dashboard needs: a route
was chosen, a person decided, a model answered (valid or not), a run ended, a shadow
run agreed or not. Deriving the metrics here, from the record types every workflow
shares, covers a new workflow as soon as it writes the same records. Where a workflow
records one of them under its own name (a model's answer, the tier change's routing in
its policy decision), it is listed here. Plain functions: the audit activity applies
them (activities/common/audit.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from vouchflow.observability.metrics import (
    DECISION_LATENCY,
    MODEL_OUTPUTS,
    REVIEWS,
    ROUTED,
    RUNS_FINISHED,
    SHADOW_COMPARISONS,
    Observation,
    counter,
    histogram,
)

# A person's decision on what the model proposed (refusals and routes are not).
REVIEW_DECISIONS = frozenset(
    {"decision.approved", "decision.rejected", "decision.confirmed", "decision.corrected"}
)
# A parser's answer, with every model attempt it took (the rules make none).
MODEL_ANSWERS = frozenset({"extraction.completed", "classification.completed", "proposal.proposed"})
# Routes that end a run without acting and without asking anyone.
REFUSED_ROUTES = frozenset({"flag", "reject_input", "refused"})
# Routes that hand the item to a person (an invoice's review, a tier change's approval).
PERSON_ROUTES = frozenset({"review", "approval"})
SHADOW_COMPARED = "shadow.compared"
# The tier change routes in its policy decision, except a medium-risk change: executed
# after automated checks on the billing preview, which send it to a person when one fails.
POLICY_DECIDED = "policy.decided"
CHECKS_COMPLETED = "checks.completed"
AFTER_CHECKS = "execute_after_checks"


def route_of(payload: Mapping[str, Any]) -> str:
    """`decision.routed` carries the route as a name (invoice) or a decision (triage)."""
    route = payload.get("route")
    if isinstance(route, Mapping):
        route = route.get("route")
    return str(route) if route else "unknown"


def first_route(record_type: str, payload: Mapping[str, Any]) -> str | None:
    """The machine's first route when this record settles it; None otherwise. Invoices
    and tickets write `decision.routed` (a later step is a person's route); a tier change
    routes in `policy.decided`, or, after checks, in `checks.completed`."""
    if record_type == "decision.routed":
        return route_of(payload) if payload.get("step", "initial") == "initial" else None
    if record_type == POLICY_DECIDED:
        route = route_of(payload)
        return None if route == AFTER_CHECKS else route  # the checks settle it
    if record_type == CHECKS_COMPLETED:
        return AFTER_CHECKS if payload.get("passed") else "approval"
    return None


def handling_of(route: str) -> str:
    """automatic (acted on without a person), person (sent to review or approval) or
    refused."""
    if route in PERSON_ROUTES:
        return "person"
    if route in REFUSED_ROUTES:
        return "refused"
    return "automatic"


def persons_decision(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The person's decision a decision record is (it names its `actor`) or carries (a
    tier change's rejection by an approver holds it under `decision`); None when no one
    decided (the workflow itself refused: validation, policy, a duplicate)."""
    if payload.get("actor"):
        return payload
    nested = payload.get("decision")
    if isinstance(nested, Mapping) and nested.get("actor"):
        return nested
    return None


def is_override(record_type: str, payload: Mapping[str, Any]) -> bool:
    """A person changed what the model proposed: an approval with corrections, or a
    correction that changed a field (triage lists the changed fields in `details`)."""
    if payload.get("corrections"):
        return True
    return record_type == "decision.corrected" and bool(payload.get("details"))


def received_at(started_payload: Mapping[str, Any]) -> dt.datetime | None:
    """When the item arrived, from the run's `workflow.started` record (an invoice's
    `received_at`, a ticket's `created_at`)."""
    event = started_payload.get("event")
    if not isinstance(event, Mapping):
        return None
    value = event.get("received_at") or event.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def decision_latency(received: dt.datetime | None, decided: dt.datetime) -> float | None:
    """Seconds from arrival to the first routing decision: reading, the model, checks and
    scoring, and never a person (no one has seen the item yet). A clock that disagrees
    (negative) yields nothing rather than a false figure."""
    if received is None:
        return None
    seconds = (decided - received).total_seconds()
    return seconds if seconds >= 0 else None


def observations_for(
    record_type: str,
    payload: Mapping[str, Any],
    *,
    workflow_type: str,
    created_at: dt.datetime,
    started_payload: Callable[[], Mapping[str, Any] | None] = lambda: None,
) -> list[Observation]:
    """What one freshly appended audit record adds to the metrics. `started_payload` is
    asked only for a first routing decision (to measure its latency)."""
    labels = {"workflow_type": workflow_type}
    route = first_route(record_type, payload)
    if route is not None:
        routed = {**labels, "route": route, "handling": handling_of(route)}
        if isinstance(payload.get("stage"), str):
            routed["stage"] = payload["stage"]  # the rollout stage the run was pinned to
        out = [counter(ROUTED, routed)]
        started = started_payload()
        latency = decision_latency(received_at(started) if started else None, created_at)
        if latency is not None:
            out.append(histogram(DECISION_LATENCY, latency, labels))
        return out
    if record_type in REVIEW_DECISIONS:
        person = persons_decision(payload)
        if record_type == "decision.rejected" and person is None:
            return []  # the workflow's own refusal, not a review of the model's answer
        decision = record_type.removeprefix("decision.")
        overridden = is_override(record_type, person or payload)
        return [counter(REVIEWS, {**labels, "decision": decision, "overridden": _flag(overridden)})]
    if record_type in MODEL_ANSWERS:
        return [
            counter(
                MODEL_OUTPUTS,
                {
                    **labels,
                    "provider": str(attempt.get("provider") or payload.get("provider") or ""),
                    "valid": _flag(bool(attempt.get("ok"))),
                },
            )
            for attempt in payload.get("attempts") or []
            if isinstance(attempt, Mapping)
        ]
    if record_type == "workflow.finished":
        return [counter(RUNS_FINISHED, {**labels, "status": str(payload.get("status", ""))})]
    if record_type == SHADOW_COMPARED:
        return [shadow_observation(shadowed_type(workflow_type), payload)]
    return []


def shadowed_type(workflow_type: str) -> str:
    """A shadow child (InvoiceShadowWorkflow) reports under the workflow it runs beside
    (InvoiceWorkflow), so its agreement sits with that workflow's other figures."""
    if workflow_type.endswith("ShadowWorkflow"):
        return workflow_type.removesuffix("ShadowWorkflow") + "Workflow"
    return workflow_type


def shadow_observation(workflow_type: str, payload: Mapping[str, Any]) -> Observation:
    """A `shadow.compared` record: {"candidate": "<prompt@version or model>", "agreed": bool}."""
    return counter(
        SHADOW_COMPARISONS,
        {
            "workflow_type": workflow_type,
            "candidate": str(payload.get("candidate", "")),
            "agreed": _flag(bool(payload.get("agreed"))),
        },
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"
