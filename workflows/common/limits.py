"""Temporal's limits, respected by design: long waits continue as new, and what a
workflow publishes (search attributes, current details) is bounded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from workflows.common.bounds import bounded_text
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.trail import AuditTrail

# Used until a workflow has loaded its settings.
DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 10_000


def history_is_long(limit: int = DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS) -> bool:
    """Time to continue as new: the server suggests it, or the history passed `limit`."""
    info = workflow.info()
    return info.is_continue_as_new_suggested() or info.get_current_history_length() > limit


async def continue_as_new(
    desk: DecisionDesk,
    trail: AuditTrail,
    *,
    phase: str,
    run: int,
    next_input: Callable[[], Any],
) -> None:
    """Carry a long wait into a fresh run (`next_input` carries its state). Decisions in
    flight are answered first; when one arrived meanwhile this returns, and the caller
    handles it, then asks again."""
    await workflow.wait_condition(lambda: workflow.all_handlers_finished() or bool(desk.inbox))
    if desk.inbox:
        return
    await desk.audit_suppressed()
    await trail.record("workflow.continuing", {"phase": phase, "run": run})
    workflow.continue_as_new(next_input())


def publish(updates: list[SearchAttributeUpdate[Any]], details: str) -> None:
    """Search attributes + current details, so the Web UI and CLI can filter and explain.
    Callers bound attribute values (workflows.common.bounds); details are bounded here."""
    workflow.upsert_search_attributes(updates)
    workflow.set_current_details(bounded_text(details))
