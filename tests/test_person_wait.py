"""The wait for a person every workflow shares (workflows.common.waiting), on the real
time-skipping test server, through the triage workflow: a wait carried into a new run
(continue-as-new) keeps its timers' times, counted from when the wait began."""

from __future__ import annotations

import datetime as dt

from temporalio.testing import WorkflowEnvironment

from tests.triage.harness import ticket_event, triage_harness
from vouchflow.settings import Settings
from vouchflow.triage.settings import ReviewSettings, TriageSettings

AMBIGUOUS = "Not sure: the last invoice looks different from the dashboard. Could be a bug?"


async def test_a_continued_wait_keeps_its_reminder_and_expiry_times(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    triage = TriageSettings(
        review=ReviewSettings(
            reminder_after=dt.timedelta(hours=2),
            expire_after=dt.timedelta(hours=8),
            continue_as_new_after_events=100,
            refusals_audited=5,
        )
    )
    env = time_skipping_env
    async with triage_harness(env, settings, triage=triage) as h:
        sub = await h.start(ticket_event(subject="Something is off", body=AMBIGUOUS))
        wid = sub.workflow_id
        await h.wait_status(wid, "awaiting_approval")
        await env.sleep(dt.timedelta(hours=1, minutes=30))
        assert (await h.state(wid)).reminders_sent == 0
        # Refused decisions grow the history until the wait continues in a new run.
        for i in range(120):
            await h.handle(wid).signal("confirm", {"reviewer": f"nobody-{i}"})
        await h.wait_for(wid, lambda s: s.runs == 2, what="a second run")
        # 2 h 30 min after the wait began: the reminder (due at 2 h) has gone out, though
        # the new run is only an hour old.
        await env.sleep(dt.timedelta(hours=1))
        state = await h.wait_for(wid, lambda s: s.reminders_sent == 1, what="the reminder")
        assert state.status == "awaiting_approval" and state.runs == 2
        # Expiry at 8 h from the start, not from the new run (that would be 9 h 30 min).
        await env.sleep(dt.timedelta(hours=5, minutes=15))
        assert (await h.state(wid)).status == "awaiting_approval"
        await env.sleep(dt.timedelta(minutes=30))
        # Read without letting time skip further: it has expired by 8 h 15 min.
        final = await h.wait_status(wid, "expired")
        assert final.status == "expired" and final.runs == 2 and final.reminders_sent == 1
        types = h.audit_types(wid)
        assert types.count("review.reminder") == 1
        assert types.index("workflow.continued") < types.index("review.reminder")
        assert types.index("review.reminder") < types.index("review.expired")
