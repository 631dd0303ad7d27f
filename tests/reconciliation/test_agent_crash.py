"""A worker lost mid-loop: another worker picks the run up from its history and goes on
from the step in flight; finished model turns and tool calls are not repeated."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.common.deps import build_deps
from activities.reconciliation.activities import ReconciliationActivities
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.tools import ToolRequest, ToolResponse
from schemas.reconciliation.workflow import ReconciliationState
from tests.reconciliation.harness import (
    TYPO_REF,
    ReconHarness,
    acme_invoice,
    open_store,
    reconciliation_worker,
)
from tests.reconciliation.test_agent_workflow import PROPOSE_RIGHT, QUERY, RECEIPTS
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply


class CountingActivities(ReconciliationActivities):
    """The real activities, counting the tool calls that reach the store (per process,
    across both workers)."""

    calls: ClassVar[list[str]] = []

    async def _tool(self, request: ToolRequest) -> ToolResponse:
        type(self).calls.append(request.name)
        return await super()._tool(request)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as server:
        yield server


async def test_a_new_worker_resumes_the_loop_without_repeating_finished_steps(
    dev_server: WorkflowEnvironment, settings: Settings, fake: FakeOpenAI, tmp_path: Path
) -> None:
    """On the dev server (real time): the lost turn is noticed when its start-to-close
    timeout (2 x the 1 s model timeout) passes, then retried on the new worker."""
    client = dev_server.client
    deps = build_deps(settings)
    store = open_store(tmp_path / "po.sqlite3")
    env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
    task_queue = f"recon-crash-{uuid.uuid4().hex[:8]}"
    harness = ReconHarness(client=client, task_queue=task_queue, deps=deps, store=store)
    # Turn 1 looks the POs up; turn 2 asks for the receipts; turn 3 hangs (the worker
    # dies while waiting for the model); its retry on the new worker proposes.
    fake.script(
        Reply.tools(QUERY),
        Reply.tools(RECEIPTS),
        Reply.hang(120),
        Reply.tools(PROPOSE_RIGHT),
    )
    policy = ReconciliationPolicy(agent="openai:gpt-5-mini", model_timeout=dt.timedelta(seconds=1))

    first = reconciliation_worker(
        client, deps, CountingActivities(deps, store=store, env=env), task_queue, identity="A"
    )
    async with first:
        handle = await harness.start(acme_invoice(), policy, references=[TYPO_REF])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(fake.requests) < 3:  # the third model turn is in flight
            assert loop.time() < deadline, "the loop did not reach its third turn"
            await asyncio.sleep(0.05)
        state = await handle.query("status", result_type=ReconciliationState)
        assert [s.tool for s in state.steps] == [
            None,
            "query_purchase_orders",
            None,
            "get_goods_receipts",
        ]
    # The first worker is gone (its in-flight activity cancelled, its cache with it).
    assert CountingActivities.calls == ["query_purchase_orders", "get_goods_receipts"]

    second = reconciliation_worker(
        client, deps, CountingActivities(deps, store=store, env=env), task_queue, identity="B"
    )
    async with second:
        result = await asyncio.wait_for(handle.result(), timeout=60)

    assert result.status == "matched", result.reason
    assert result.po_number == "PO-4500-0142"
    # Four model requests: turns 1 and 2 once each, turn 3 twice (the lost attempt + retry).
    assert len(fake.requests) == 4 and fake.remaining() == 0
    # The finished tool calls were not run again by the new worker.
    assert CountingActivities.calls == ["query_purchase_orders", "get_goods_receipts"]
    history = await handle.fetch_history()
    completed: list[str] = []
    names: dict[int, str] = {}
    started: list[tuple[str, str, int]] = []
    for event in history.events:
        if event.HasField("activity_task_started_event_attributes"):
            attrs = event.activity_task_started_event_attributes
            started.append((names[attrs.scheduled_event_id], attrs.identity, attrs.attempt))
        if event.HasField("activity_task_scheduled_event_attributes"):
            names[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
        if event.HasField("activity_task_completed_event_attributes"):
            completed.append(
                names[event.activity_task_completed_event_attributes.scheduled_event_id]
            )
    assert completed.count("get_goods_receipts") == 1
    assert completed.count("query_purchase_orders") == 1
    assert completed.count("reconciliation_model_turn") == 3
    # Turns 1 and 2 ran on worker A; the third turn's second attempt on worker B.
    turns = [
        (who, attempt) for name, who, attempt in started if name == "reconciliation_model_turn"
    ]
    assert turns == [("A", 1), ("A", 1), ("B", 2)]
    # The audit trail holds each step once, despite the replay on the new worker.
    steps: list[Any] = [
        r.payload["step"] for r in deps.audit.trail(handle.id) if r.type == "reconciliation.step"
    ]
    assert steps == [1, 2, 3, 4, 5, 6]
