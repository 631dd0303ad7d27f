"""Regenerate the committed tier-change workflow histories replayed by tests/test_replay.py.

    .venv/bin/python -m tests.histories.proposal.generate

One workflow per route and per kind of ending, on the time-skipping test server; each
history is written as JSON beside this file. The dead-letter ones run on the Stripe fake:
a change Stripe keeps refusing parks, a non-operator's resume is refused, an operator
resumes it (`dead_letter_resumed`); a preview Stripe keeps refusing parks and an operator
re-runs it from the start (`dead_letter_rerun`: the parked run, continued as new;
`rerun_executed`: the re-run). Histories of earlier workflow versions live in
subfolders (v1_before_dead_letter). Regenerate only on purpose: a committed history is
the guarantee that running workflows replay on new code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from schemas.common.dead_letter import DeadLetterReply, DeadLetterRequest, DeadLetterView
from tests.conftest import make_settings
from tests.proposal.harness import ProposalHarness, proposal_harness, tier_request
from tests.proposal.stripe_setup import stock, stripe_settings
from vouchflow.runtime.binaries import temporal_test_server_path
from vouchflow.runtime.search_attributes import register_search_attributes
from vouchflow.testing.fakes.stripe import FakeStripe

OUT = Path(__file__).resolve().parent


async def _low_executed(h: ProposalHarness) -> str:
    event = tier_request(
        "Please move us to standard from the 1st of next month.",
        customer_id="cus_bluebird",
        tier="basic",
        now=await h.now(),
        event_id="evt-history-low",
    )
    await h.run(event)
    return event.event_id


async def _medium_executed(h: ProposalHarness) -> str:
    event = tier_request(
        "Upgrade us to premium immediately.",
        customer_id="cus_acme",
        now=await h.now(),
        event_id="evt-history-medium",
    )
    await h.run(event)
    return event.event_id


async def _high_approved(h: ProposalHarness) -> str:
    event = tier_request(
        "Move us to premium from the 1st of next month.",
        customer_id="cus_cobalt",
        tier="basic",
        now=await h.now(),
        event_id="evt-history-approved",
    )
    sub = await h.start(event)
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    # A typed name without proof is refused; then a proven approval by update.
    await h.handle(sub.workflow_id).signal("approve", {"reviewer": "alice"})
    await h.wait_for(sub.workflow_id, lambda s: s.refused_decisions == 1)
    await h.decide(sub.workflow_id, "approve", "alice", comment="growing")
    await h.result(sub.workflow_id)
    return event.event_id


async def _high_rejected(h: ProposalHarness) -> str:
    event = tier_request(
        "Move us to premium from the 1st of next month.",
        customer_id="cus_cobalt",
        tier="basic",
        now=await h.now(),
        event_id="evt-history-rejected",
    )
    sub = await h.start(event)
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await h.signal_decision(sub.workflow_id, "reject", "bob", reason="not this quarter")
    await h.result(sub.workflow_id)
    return event.event_id


async def _high_expired(h: ProposalHarness) -> str:
    event = tier_request(
        "Upgrade to premium from the 1st of next month.",
        customer_id="cus_cobalt",
        tier="basic",
        now=await h.now(),
        event_id="evt-history-expired",
    )
    await h.run(event)
    return event.event_id


async def _rejected_validation(h: ProposalHarness) -> str:
    event = tier_request(
        "We are on basic and want premium next month.",
        customer_id="cus_ember",
        now=await h.now(),
        event_id="evt-history-mismatch",
    )
    await h.run(event)
    return event.event_id


async def _rejected_policy(h: ProposalHarness) -> str:
    event = tier_request(
        "Downgrade us from premium to standard next month.",
        customer_id="cus_delta",
        tier="premium",
        now=await h.now(),
        event_id="evt-history-policy",
    )
    await h.run(event)
    return event.event_id


async def _needs_attention(h: ProposalHarness) -> str:
    event = tier_request(
        "Why is my invoice so high?", now=await h.now(), event_id="evt-history-unreadable"
    )
    await h.run(event)
    return event.event_id


async def _parked(h: ProposalHarness, workflow_id: str, env: WorkflowEnvironment) -> None:
    for _ in range(300):
        try:
            view = await h.handle(workflow_id).query("dead_letter", result_type=DeadLetterView)
            if view.parked is not None:
                return
        except Exception:  # not started yet
            pass
        await env.sleep(dt.timedelta(seconds=2))  # over the retries' Retry-After
    raise RuntimeError("never parked")


async def _act(h: ProposalHarness, workflow_id: str, person: str, action: str) -> None:
    token = h.token(person, workflow_id, "rerun" if action == "rerun" else "operate")
    reply: DeadLetterReply = await h.handle(workflow_id).execute_update(
        "dead_letter",
        DeadLetterRequest(action=action, token=token, reason="Stripe is back"),
        result_type=DeadLetterReply,
    )
    if reply.accepted != (person == "alice"):
        raise RuntimeError(f"{person} {action}: {reply}")


async def _stripe_storm(
    env: WorkflowEnvironment, home: Path, *, only: str, actions: list[tuple[str, str]]
) -> list[WorkflowHistory]:
    """A medium change on Stripe whose `only` requests are refused until the run parks;
    then the operators' actions. Every run's history, first to last."""
    with FakeStripe.start() as fake:
        stock(fake, dt.datetime.now(dt.UTC))
        settings = make_settings(home)
        async with proposal_harness(
            env, settings, proposal=stripe_settings(fake), env={"STRIPE_API_KEY": fake.api_key}
        ) as h:
            now = await h.now()
            fake.clock = lambda: now
            fake.rate_limit(10_000, retry_after=1, only=only)
            event = tier_request(
                "Please upgrade us to premium immediately.",
                customer_id="cus_acme",
                now=now,
                event_id=f"evt-history-dead-letter-{actions[-1][1]}",
            )
            sub = await h.start(event)
            await _parked(h, sub.workflow_id, env)
            first_run = (await h.handle(sub.workflow_id).describe()).run_id
            fake.rate_limit(0)
            for person, action in actions:
                await _act(h, sub.workflow_id, person, action)
            await h.result(sub.workflow_id)
            runs = [first_run]
            last = (await h.handle(sub.workflow_id).describe()).run_id
            runs += [last] if last != first_run else []
            return [
                await h.client.get_workflow_handle(sub.workflow_id, run_id=run).fetch_history()
                for run in runs
            ]


async def _dead_letter(env: WorkflowEnvironment, home: Path) -> dict[str, WorkflowHistory]:
    (resumed,) = await _stripe_storm(
        env,
        home / "resumed",
        only="POST /v1/subscription_items",
        actions=[("mallory", "resume"), ("alice", "resume")],
    )
    parked, rerun = await _stripe_storm(
        env, home / "rerun", only="POST /v1/invoices/create_preview", actions=[("alice", "rerun")]
    )
    return {"dead_letter_resumed": resumed, "dead_letter_rerun": parked, "rerun_executed": rerun}


SCENARIOS: dict[str, Callable[[ProposalHarness], Awaitable[str]]] = {
    "low_executed": _low_executed,
    "medium_executed": _medium_executed,
    "high_approved": _high_approved,
    "high_rejected": _high_rejected,
    "high_expired": _high_expired,
    "rejected_validation": _rejected_validation,
    "rejected_policy": _rejected_policy,
    "needs_attention": _needs_attention,
}


async def main() -> None:
    from schemas.proposal.events import proposal_workflow_id

    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server_path()),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client, "default")
    try:
        for name, scenario in SCENARIOS.items():
            with tempfile.TemporaryDirectory() as tmp:
                settings = make_settings(Path(tmp) / "home")
                async with proposal_harness(env, settings) as h:
                    event_id = await scenario(h)
                    history = await h.handle(proposal_workflow_id(event_id)).fetch_history()
            out = OUT / f"proposal_{name}.json"
            out.write_text(history.to_json())
            print(f"wrote {out.name} ({len(history.events)} events)")
        with tempfile.TemporaryDirectory() as tmp:
            for name, history in (await _dead_letter(env, Path(tmp))).items():
                out = OUT / f"proposal_{name}.json"
                out.write_text(history.to_json())
                print(f"wrote {out.name} ({len(history.events)} events)")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
