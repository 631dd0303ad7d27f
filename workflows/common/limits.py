"""Temporal's limits, respected by design: long waits continue as new, and what a
workflow publishes (search attributes, current details) is bounded."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from workflows.common.bounds import bounded_text

# Used until a workflow has loaded its settings.
DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 10_000


def history_is_long(limit: int = DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS) -> bool:
    """Time to continue as new: the server suggests it, or the history passed `limit`."""
    info = workflow.info()
    return info.is_continue_as_new_suggested() or info.get_current_history_length() > limit


def publish(updates: list[SearchAttributeUpdate[Any]], details: str) -> None:
    """Search attributes + current details, so the Web UI and CLI can filter and explain.
    Callers bound attribute values (workflows.common.bounds); details are bounded here."""
    workflow.upsert_search_attributes(updates)
    workflow.set_current_details(bounded_text(details))
