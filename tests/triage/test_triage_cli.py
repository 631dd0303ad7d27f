"""Reading event files, and the demo's ticket table, on the time-skipping server."""

from __future__ import annotations

import json
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.triage.harness import ticket_event, triage_harness
from vouchflow.cli.render import console
from vouchflow.settings import Settings
from vouchflow.triage.cli import demo_tickets
from vouchflow.triage.intake import read_events

SAMPLES = Path(__file__).resolve().parents[2] / "vouchflow" / "samples" / "tickets"


def test_the_bundled_samples_cover_the_documented_cases() -> None:
    events, refused = read_events(SAMPLES)
    assert refused == []
    ids = [e.event_id for _, e in events]
    assert len(ids) == len(set(ids)) + 1  # exactly one duplicate delivery
    assert any(e.customer.plan == "enterprise" for _, e in events)
    assert any("Ignore all previous instructions" in e.ticket.body for _, e in events)


def test_files_that_are_not_events_are_refused_with_a_reason(tmp_path: Path) -> None:
    good = json.loads(ticket_event(event_id="evt-list-1").model_dump_json())
    (tmp_path / "a-list.json").write_text(json.dumps([good, {**good, "event": "nope"}]))
    (tmp_path / "b-broken.json").write_text("{not json")
    (tmp_path / "c-float-arr.json").write_text(
        json.dumps({**good, "customer": {**good["customer"], "arr": 12.5}})
    )
    (tmp_path / "ignored.txt").write_text("not a json file")
    events, refused = read_events(tmp_path)
    assert [where for where, _ in events] == ["a-list.json[0]"]
    reasons = {r.source: r.reason for r in refused}
    assert set(reasons) == {"a-list.json[1]", "b-broken.json", "c-float-arr.json"}
    assert "support_ticket.created.v1" in reasons["c-float-arr.json"]


async def test_the_demo_prints_each_sample_tickets_route(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with triage_harness(time_skipping_env, settings) as h:
        with console.capture() as captured:
            await demo_tickets(h.client, h.settings, SAMPLES)
        text = captured.get()
        assert "where each sample ticket rests" in text
        for queue in ("billing-escalations", "enterprise-support", "triage-review", "support-bug"):
            assert queue in text
        assert "delivered again with event_id evt-2026-12-01-0001" in text
        assert "starter.py triage confirm triage-evt-2026-12-01-0003" in text
        h.submitted += [f"triage-evt-2026-12-01-000{i}" for i in (1, 2, 3, 4, 6)]
