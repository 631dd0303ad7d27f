"""The tier change's dead letter ships behind `workflow.patched("dead-letter")`: the
histories from before it (histories/proposal/v1_before_dead_letter) and the dead-letter
histories (a change resumed by an operator after a refused resume; a preview re-run from
the start, both its runs) all replay — tests/test_replay.py replays every history under
histories/proposal — and replay catches code that would drop the park. Regenerate on
purpose only: `.venv/bin/python -m tests.histories.proposal.generate`."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from schemas.proposal.events import proposal_workflow_id
from tests import test_replay
from workflows.common.dead_letter import DeadLetter
from workflows.proposal.workflow import TierChangeWorkflow

HISTORIES = Path(test_replay.__file__).parent / "histories" / "proposal"
BEFORE = HISTORIES / "v1_before_dead_letter"
RESUMED = HISTORIES / "proposal_dead_letter_resumed.json"
PARKED_THEN_RERUN = HISTORIES / "proposal_dead_letter_rerun.json"
RERUN = HISTORIES / "proposal_rerun_executed.json"
DEAD_LETTER = {RESUMED, PARKED_THEN_RERUN, RERUN}


def load(path: Path) -> WorkflowHistory:
    text = path.read_text()
    start = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    arg = json.loads(base64.b64decode(start["input"]["payloads"][0]["data"]))
    return WorkflowHistory.from_json(proposal_workflow_id(arg["event"]["event_id"]), text)


def scheduled(path: Path) -> list[str]:
    """The activities a history scheduled, in order."""
    events = json.loads(path.read_text())["events"]
    return [
        e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for e in events
        if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    ]


def patches(path: Path) -> list[str]:
    """The `workflow.patched` ids a history recorded."""
    found = []
    for event in json.loads(path.read_text())["events"]:
        marker = event.get("markerRecordedEventAttributes") or {}
        if marker.get("markerName") == "core_patch":
            (data,) = marker["details"]["patch-data"]["payloads"]
            found.append(json.loads(base64.b64decode(data["data"]))["id"])
    return found


def test_histories_from_before_the_dead_letter_are_kept_and_replayed() -> None:
    current = {p.name for p in HISTORIES.glob("proposal_*.json")} - {p.name for p in DEAD_LETTER}
    kept = {p.name for p in BEFORE.glob("proposal_*.json")}
    assert kept and kept == current
    assert set(BEFORE.glob("*.json")) <= set(test_replay.PROPOSAL_HISTORIES)
    assert set(test_replay.PROPOSAL_HISTORIES) >= DEAD_LETTER
    # The old needs_attention run ended at once; the current one parks first.
    assert "dead-letter" not in patches(BEFORE / "proposal_needs_attention.json")
    assert "dead-letter" in patches(HISTORIES / "proposal_needs_attention.json")


def test_the_dead_letter_histories_show_the_operators_actions() -> None:
    resumed = RESUMED.read_text()
    # A refused resume and the accepted one, both `dead_letter` updates while parked.
    assert resumed.count("EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED") == 2
    # The change asked twice (its retries are one activity each): before and after.
    assert scheduled(RESUMED).count("execute_tier_change") == 2
    parked = PARKED_THEN_RERUN.read_text()
    assert parked.count("EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED") == 1
    assert "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW" in parked
    start = json.loads(RERUN.read_text())["events"][0]["workflowExecutionStartedEventAttributes"]
    arg = json.loads(base64.b64decode(start["input"]["payloads"][0]["data"]))
    assert arg["rerun"]["operator"] == "alice"
    assert load(RERUN).workflow_id == load(PARKED_THEN_RERUN).workflow_id


async def test_code_that_drops_the_park_fails_on_the_dead_letter_histories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replayer = Replayer(workflows=[TierChangeWorkflow], data_converter=pydantic_data_converter)
    for path in (RESUMED, PARKED_THEN_RERUN):
        await replayer.replay_workflow(load(path))  # as it is: replays
    monkeypatch.setattr(DeadLetter, "enabled", lambda self: False)
    for path in (RESUMED, PARKED_THEN_RERUN):
        with pytest.raises(NondeterminismError):
            await replayer.replay_workflow(load(path))
