"""Committed triage histories replay on the current workflow code (determinism guard).
Regenerate them on purpose only: `.venv/bin/python -m tests.histories.generate_triage`."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from schemas.triage.events import triage_workflow_id
from schemas.triage.state import TriageWorkflowInput
from workflows.triage.workflow import TriageWorkflow

HERE = Path(__file__).resolve().parent.parent / "histories" / "triage"
HISTORIES = sorted(HERE.rglob("*.json"))


def test_there_is_a_history_for_every_route_and_decision() -> None:
    names = {p.stem for p in HERE.glob("*.json")}
    assert names >= {
        "triage_escalated",
        "triage_enterprise",
        "triage_review_confirmed",
        "triage_review_corrected",
        "triage_review_expired",
    }


def load_history(text: str) -> WorkflowHistory:
    """Under its real workflow id (decision tokens are bound to it), from the event id."""
    start = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    arg = json.loads(base64.b64decode(start["input"]["payloads"][0]["data"]))
    return WorkflowHistory.from_json(triage_workflow_id(arg["event"]["event_id"]), text)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = load_history(await asyncio.to_thread(path.read_text))
    replayer = Replayer(workflows=[TriageWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)


async def test_a_reordered_step_is_caught_by_replay() -> None:
    """The guard works: code that audits in another order fails on the old history."""

    from workflows.triage import intake

    original = intake.IntakeSteps._intake

    async def reordered(self: intake.IntakeSteps, request: TriageWorkflowInput) -> bool:
        await self._trail.record("unexpected.step", {})
        return await original(self, request)

    history = load_history((HERE / "triage_escalated.json").read_text())
    intake.IntakeSteps._intake = reordered  # type: ignore[method-assign]
    try:
        replayer = Replayer(workflows=[TriageWorkflow], data_converter=pydantic_data_converter)
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        assert result.replay_failure is not None
    finally:
        intake.IntakeSteps._intake = original  # type: ignore[method-assign]
