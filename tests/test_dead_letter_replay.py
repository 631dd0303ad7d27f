"""The dead letter ships behind `workflow.patched("dead-letter")`: the histories from
before it (v7_before_dead_letter, triage/v3_before_dead_letter) and the dead-letter
histories (tests/histories/dead_letter, triage/dead_letter) all replay — they are picked
up by tests/test_replay.py and tests/triage/test_triage_replay.py — and replay catches
code that would drop the park. Regenerate the dead-letter histories on purpose only:
`.venv/bin/python -m tests.histories.dead_letter.generate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from tests import test_replay
from tests.triage import test_triage_replay
from workflows.common.dead_letter import DeadLetter
from workflows.invoice.workflow import InvoiceWorkflow
from workflows.triage.workflow import TriageWorkflow

HISTORIES = Path(__file__).parent / "histories"
INVOICE = HISTORIES / "dead_letter" / "invoice_dead_letter_resumed.json"
TICKET = HISTORIES / "triage" / "dead_letter" / "triage_dead_letter_closed.json"


def test_histories_from_before_the_dead_letter_are_kept() -> None:
    # The histories of the scenarios that existed before the dead letter (later changes
    # add scenarios of their own, which have no pre-dead-letter version).
    kept = {p.name for p in (HISTORIES / "v7_before_dead_letter").glob("invoice_*.json")}
    assert {"invoice_auto_draft.json", "invoice_review_approved_reverted.json"} <= kept
    assert all((HISTORIES / name).exists() for name in kept)
    triage = {p.name for p in (HISTORIES / "triage" / "v3_before_dead_letter").glob("*.json")}
    assert len(triage) >= 5
    assert INVOICE in test_replay.HISTORIES and TICKET in test_triage_replay.HISTORIES


def test_the_dead_letter_histories_show_a_park_and_its_end() -> None:
    for path, updates in ((INVOICE, 2), (TICKET, 1)):
        text = path.read_text()
        # The operators' actions arrived as `dead_letter` updates while the run waited.
        assert text.count("EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED") == updates
        assert "dead_letter" in text


async def test_code_that_drops_the_park_fails_on_the_dead_letter_histories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(DeadLetter, "enabled", lambda self: False)
    for workflow, path, load in (
        (InvoiceWorkflow, INVOICE, test_replay.load_history),
        (TriageWorkflow, TICKET, test_triage_replay.load_history),
    ):
        replayer = Replayer(workflows=[workflow], data_converter=pydantic_data_converter)
        with pytest.raises(NondeterminismError):
            await replayer.replay_workflow(load(path.read_text()))
