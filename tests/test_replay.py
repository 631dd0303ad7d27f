"""Committed histories must replay on the current workflow code (determinism guard)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.invoice import InvoiceWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_there_is_a_history_for_every_route() -> None:
    names = {p.stem for p in HISTORIES}
    for route in (
        "auto_draft",
        "review_approved_reverted",
        "review_rejected",
        "flagged_duplicate",
        "rejected_input",
    ):
        assert f"invoice_{route}" in names


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, await asyncio.to_thread(path.read_text))
    replayer = Replayer(workflows=[InvoiceWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
