"""The dead letter for tier changes, on the time-skipping test server with the Stripe fake
behind the official SDK (and, for `failed list`, on the dev server, whose visibility
answers the CLI's query).

    Stripe answers every change with 429 past the change's retry budget -> the run parks
    (failure, attempts, what it needs) -> a non-operator's resume is refused and audited
    (a typed name with someone else's token too) -> Stripe recovers -> an operator resumes
    -> exactly one change in Stripe, under one idempotency key

    Stripe's preview keeps failing -> parked -> an operator re-runs it from the start (a
    new run, proven again) -> executed once

    a parked run an operator closes ends needs_attention; `vouchflow failed rerun
    --from-start` starts it again (a non-operator is refused by the CLI, audited)

    `vouchflow failed list --workflow TierChangeWorkflow` shows a parked tier change
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from temporalio.testing import WorkflowEnvironment

from schemas.common.dead_letter import DeadLetterReply, DeadLetterRequest, DeadLetterView
from schemas.proposal.state import ProposalState
from tests.proposal.harness import ProposalHarness, proposal_harness, tier_request
from tests.proposal.stripe_setup import stock, stripe_settings
from vouchflow.cli.app import main as cli_main
from vouchflow.identity.keys import ensure_person
from vouchflow.runtime import search_attributes as sa
from vouchflow.settings import Settings
from vouchflow.testing.fakes.stripe import FakeStripe
from workflows.proposal.views import summary_lines

pytestmark = pytest.mark.asyncio
# The retry budgets of the change and of the preview (workflows/proposal/options.py).
EXECUTE_BUDGET = 12
PREVIEW_BUDGET = 8
CHANGE = "POST /v1/subscription_items"
PREVIEW = "POST /v1/invoices/create_preview"
# More 429s than any budget: Stripe stays down until the test says it has recovered.
STORM = 10_000


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe.start() as running:
        stock(running, dt.datetime.now(dt.UTC))
        yield running


@dataclass
class Stack:
    h: ProposalHarness
    fake: FakeStripe
    env: WorkflowEnvironment
    capsys: pytest.CaptureFixture[str] | None = None

    async def start(self, text: str, customer_id: str = "cus_acme") -> str:
        now = await self.h.now()
        self.fake.clock = lambda: now
        sub = await self.h.start(tier_request(text, customer_id=customer_id, now=now))
        return sub.workflow_id

    async def view(self, workflow_id: str) -> DeadLetterView:
        view: DeadLetterView = await self.h.handle(workflow_id).query(
            "dead_letter", result_type=DeadLetterView
        )
        return view

    async def parked(self, workflow_id: str) -> DeadLetterView:
        """The park, once the retries are spent (time skipped over their Retry-After)."""
        for _ in range(300):
            try:
                view = await self.view(workflow_id)
            except Exception:  # not started yet
                view = DeadLetterView()
            if view.parked is not None:
                return view
            if self.env.supports_time_skipping:
                await self.env.sleep(dt.timedelta(seconds=2))
            else:
                await asyncio.sleep(0.1)
        state = await self.h.state(workflow_id)
        raise AssertionError(f"never parked: {state.status} {state.status_reason}")

    async def act(
        self, workflow_id: str, person: str, action: str, *, token_as: str = "", **fields: str
    ) -> DeadLetterReply:
        """An operator's action sent straight to the worker, past the CLI's checks."""
        token_action = token_as or ("rerun" if action == "rerun" else "operate")
        reply: DeadLetterReply = await self.h.handle(workflow_id).execute_update(
            "dead_letter",
            DeadLetterRequest(
                action=action, token=self.h.token(person, workflow_id, token_action), **fields
            ),
            result_type=DeadLetterReply,
        )
        return reply

    async def cli(self, *argv: str) -> tuple[int, str, str]:
        assert self.capsys is not None
        code = await asyncio.to_thread(cli_main, list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def updates(self, item: str = "si_acme") -> list[str]:
        """The Idempotency-Key of every change request Stripe received for `item`."""
        return [
            r.headers.get("idempotency-key", "")
            for r in self.fake.requests
            if r.path == f"{CHANGE}/{item}"
        ]

    def types(self, workflow_id: str) -> list[str]:
        return [r.type for r in self.h.deps.audit.trail(workflow_id)]


@asynccontextmanager
async def stripe_stack(
    env: WorkflowEnvironment,
    settings: Settings,
    fake: FakeStripe,
    monkeypatch: pytest.MonkeyPatch | None = None,
    capsys: pytest.CaptureFixture[str] | None = None,
) -> AsyncIterator[Stack]:
    async with proposal_harness(
        env, settings, proposal=stripe_settings(fake), env={"STRIPE_API_KEY": fake.api_key}
    ) as h:
        if monkeypatch is not None:
            # The CLI as an operator runs it: same home (keys, audit log), same server.
            monkeypatch.setenv("VOUCHFLOW_HOME", str(h.settings.home))
            monkeypatch.setenv("TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
            monkeypatch.setenv("VOUCHFLOW_TASK_QUEUE", h.settings.temporal.task_queue)
            for person in ("alice", "mallory"):
                ensure_person(h.settings.home, person)
        yield Stack(h=h, fake=fake, env=env, capsys=capsys)


async def test_a_change_stripe_keeps_refusing_parks_and_an_operator_resumes_it_once(
    time_skipping_env: WorkflowEnvironment, settings: Settings, fake: FakeStripe
) -> None:
    async with stripe_stack(time_skipping_env, settings, fake) as s:
        # Medium risk: preview and checks pass; the change itself is answered 429 for
        # longer than its retry budget lasts.
        fake.rate_limit(STORM, retry_after=1, only=CHANGE)
        workflow_id = await s.start("Please upgrade us to premium immediately.")

        view = await s.parked(workflow_id)
        parked = view.parked
        assert parked is not None
        assert parked.kind == "effect_failed" and parked.step == "apply_tier_change"
        assert parked.retry_state == "MAXIMUM_ATTEMPTS_REACHED"
        assert parked.attempts == EXECUTE_BUDGET and parked.retry_budget == EXECUTE_BUDGET
        assert parked.resumable and "--resume" in parked.needs
        assert "the billing system did not apply the change" in parked.reason
        assert "429" in parked.reason
        assert len(s.updates()) == EXECUTE_BUDGET and fake.changes == []
        state: ProposalState = await s.h.state(workflow_id)
        assert state.status == "needs_attention" and state.execution is None
        assert state.route == "execute_after_checks"  # where it was going, kept for the resume
        desc = await s.h.handle(workflow_id).describe()
        assert desc.typed_search_attributes.get(sa.DEAD_LETTER) == "effect_failed"
        # The ledger holds this workflow's claim: no other workflow can take the proposal.
        (claim,) = s.h.activities.store("sqlite").ledger()
        assert claim["workflow_id"] == workflow_id and claim["state"] == "claimed"

        # A proven person who is not an operator: refused by the worker, audited.
        refused = await s.act(workflow_id, "bob", "resume", reason="let me")
        assert not refused.accepted and "not a rollout operator" in refused.reason
        # A typed operator name carrying a token for another action proves nothing.
        forged = await s.act(workflow_id, "alice", "resume", token_as="approve", operator="alice")
        assert not forged.accepted
        trail = s.h.deps.audit.trail(workflow_id)
        assert [r.payload["actor"] for r in trail if r.type == "dead_letter.refused"] == [
            "bob",
            "alice",
        ]
        assert (await s.view(workflow_id)).refused_actions == 2
        assert fake.changes == [] and len(s.updates()) == EXECUTE_BUDGET

        # Stripe has recovered: the operator resumes the same step.
        fake.rate_limit(0)
        resumed = await s.act(workflow_id, "alice", "resume", reason="Stripe is back")
        assert resumed.accepted, resumed.reason
        assert "same idempotency key" in resumed.reason
        final = await s.h.result(workflow_id)
        assert final.status == "executed", final.status_reason
        assert final.execution is not None and final.execution.created

        # Exactly one change in Stripe, and every request carried the same key.
        assert len(fake.changes) == 1 and fake.changes[0]["to"] == "price_premium_monthly"
        assert fake.changes[0]["idempotency_key"] == f"{workflow_id}:tier-change"
        assert set(s.updates()) == {f"{workflow_id}:tier-change"}
        assert len(s.updates()) == EXECUTE_BUDGET + 1
        (row,) = s.h.activities.store("sqlite").ledger()
        assert row["state"] == "executed" and row["workflow_id"] == workflow_id

        trail = s.h.deps.audit.trail(workflow_id)
        outcomes = [
            r.payload["status"]
            for r in trail
            if r.type == "effect.outcome" and r.payload["effect"] == "billing.tier_change"
        ]
        assert outcomes == ["failed", "done"]
        intents = {
            r.payload["idempotency_key"]
            for r in trail
            if r.type == "effect.intent" and r.payload["effect"] == "billing.tier_change"
        }
        assert intents == {f"{workflow_id}:tier-change"}
        (resolved,) = [r for r in trail if r.type == "dead_letter.resolved"]
        assert resolved.payload["action"] == "resume" and resolved.payload["operator"] == "alice"
        assert resolved.payload["proof"].startswith("token:alice/")
        types = [r.type for r in trail]
        assert types.index("dead_letter.parked") < types.index("dead_letter.resolved")
        assert types.index("dead_letter.resolved") < types.index("proposal.executed")
        assert (await s.h.handle(workflow_id).describe()).typed_search_attributes.get(
            sa.DEAD_LETTER
        ) is None
        assert s.h.deps.audit.verify().ok


async def test_a_preview_stripe_keeps_refusing_is_rerun_from_the_start_by_an_operator(
    time_skipping_env: WorkflowEnvironment, settings: Settings, fake: FakeStripe
) -> None:
    async with stripe_stack(time_skipping_env, settings, fake) as s:
        fake.rate_limit(STORM, retry_after=1, only=PREVIEW)
        workflow_id = await s.start("Please upgrade us to premium immediately.")
        view = await s.parked(workflow_id)
        parked = view.parked
        assert parked is not None
        assert parked.step == "preview_tier_change" and parked.attempts == PREVIEW_BUDGET
        assert "could not preview the change" in parked.reason
        first_run = (await s.h.handle(workflow_id).describe()).run_id

        # A re-run needs a `rerun` token: an `operate` one is refused, audited.
        wrong = await s.act(workflow_id, "alice", "rerun", token_as="operate")
        assert not wrong.accepted
        refused = await s.act(workflow_id, "mallory", "rerun")
        assert not refused.accepted and "not a rollout operator" in refused.reason
        fake.rate_limit(0)
        accepted = await s.act(workflow_id, "alice", "rerun", reason="Stripe is back")
        assert accepted.accepted, accepted.reason

        # Follows the run it continued as; no time skipping needed (see the next test).
        handle = s.h.client.get_workflow_handle(workflow_id, result_type=ProposalState)
        final = await asyncio.wait_for(handle.result(), timeout=60)
        assert final.status == "executed", final.status_reason
        assert final.rerun is not None and final.rerun.operator == "alice"
        assert final.rerun.context.number == 1
        # What `propose status` and the Web UI show of it.
        assert "Re-run #1 by alice: from the dead letter: Stripe is back" in summary_lines(final)
        assert final.dry_run is not None and final.dry_run.system == "stripe"
        assert len(fake.changes) == 1
        assert set(s.updates()) == {f"{workflow_id}:tier-change"}
        trail = s.h.deps.audit.trail(workflow_id)
        assert len({r.run_id for r in trail}) == 2 and first_run in {r.run_id for r in trail}
        (resolved,) = [r for r in trail if r.type == "dead_letter.resolved"]
        assert resolved.payload["action"] == "rerun" and resolved.payload["operator"] == "alice"
        (started,) = [r for r in trail if r.type == "rerun.started"]
        assert started.payload["operator"] == "alice"
        assert started.payload["context"]["previous_run_ids"] == [first_run]
        types = [r.type for r in trail]
        assert types.index("workflow.continuing") < types.index("rerun.started")
        assert types.count("proposal.proposed") == 2  # the re-run read the request again
        last_proposed = len(types) - 1 - types[::-1].index("proposal.proposed")
        assert types.index("rerun.started") < last_proposed
        assert s.h.deps.audit.verify().ok


async def test_a_closed_tier_change_is_started_again_from_the_command_line(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    fake: FakeStripe,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with stripe_stack(time_skipping_env, settings, fake, monkeypatch, capsys) as s:
        fake.rate_limit(STORM, retry_after=1, only=PREVIEW)
        workflow_id = await s.start("Please upgrade us to premium immediately.")
        await s.parked(workflow_id)
        closed = await s.act(workflow_id, "alice", "close", reason="asked the customer first")
        assert closed.accepted, closed.reason
        # Closing needs no timer either: wait without skipping time (see below).
        handle = s.h.client.get_workflow_handle(workflow_id, result_type=ProposalState)
        ended = await asyncio.wait_for(handle.result(), timeout=60)
        assert ended.status == "needs_attention" and ended.route == "needs_attention"
        assert "could not preview the change" in ended.status_reason
        assert "(closed by alice: asked the customer first)" in ended.status_reason

        fake.rate_limit(0)
        code, _, err = await s.cli("failed", "rerun", workflow_id, "--resume", "--as", "alice")
        assert code == 1 and "only be re-run from the start" in err, err
        code, _, err = await s.cli(
            "failed", "rerun", workflow_id, "--from-start", "--as", "mallory"
        )
        assert code == 3 and "not a rollout operator" in err, err
        code, out, err = await s.cli(
            "failed", "rerun", workflow_id, "--from-start", "--as", "alice", "--reason", "go"
        )
        assert code == 0 and "rerun started" in out, err

        # The re-run needs no timer (Stripe answers again), so wait without skipping time:
        # the test server keeps a 10-year execution timer on the workflow, and unlocked
        # skipping jumps to it while an activity is in flight, which would make the
        # request's "immediately" ten years old.
        final = await asyncio.wait_for(handle.result(), timeout=60)
        assert final.status == "executed", final.status_reason
        assert final.rerun is not None and final.rerun.operator == "alice"
        assert final.rerun.context.previous_status == "needs_attention"
        assert len(fake.changes) == 1
        trail = s.h.deps.audit.trail(workflow_id)
        refusals = [r for r in trail if r.type == "dead_letter.refused"]
        assert [(r.run_id, r.payload["actor"]) for r in refusals] == [("cli", "mallory")]
        (requested,) = [r for r in trail if r.type == "rerun.requested"]
        assert requested.payload["from"] == "dead_letter"
        assert requested.payload["operator"] == "alice"


async def test_failed_list_shows_a_parked_tier_change(
    dev_server: WorkflowEnvironment,
    settings: Settings,
    fake: FakeStripe,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On the dev server: the CLI's visibility query finds the run by its workflow type
    and the VouchflowDeadLetter attribute; an operator closes it from the CLI."""
    async with stripe_stack(dev_server, settings, fake, monkeypatch, capsys) as s:
        # A request that names no tier: nothing to retry, so it parks as needs_attention.
        workflow_id = await s.start("Why is my invoice so high?")
        view = await s.parked(workflow_id)
        assert view.parked is not None
        assert view.parked.kind == "needs_attention" and not view.parked.resumable

        out = ""
        for _ in range(100):  # visibility lags a little behind the workflow
            code, out, err = await s.cli("failed", "list", "--workflow", "TierChangeWorkflow")
            assert code == 0, err
            if workflow_id in out:
                break
            await asyncio.sleep(0.1)
        assert f"{workflow_id}  TierChangeWorkflow  parked: needs_attention" in out
        assert "step proposing" in out and "names no tier" in out
        assert "--from-start" in out and "1 parked run(s)" in out
        code, out, _ = await s.cli("failed", "list", "--workflow", "tier_change")
        assert workflow_id in out
        code, out, _ = await s.cli("failed", "list", "--workflow", "invoice")
        assert workflow_id not in out and "no runs in the dead letter" in out

        code, _, err = await s.cli("failed", "rerun", workflow_id, "--resume", "--as", "alice")
        assert code == 3 and "nothing to resume" in err, err
        code, _, err = await s.cli(
            "failed", "close", workflow_id, "--as", "mallory", "--reason", "x"
        )
        assert code == 3 and "not a rollout operator" in err, err
        code, out, err = await s.cli(
            "failed", "close", workflow_id, "--as", "alice", "--reason", "answered by email"
        )
        assert code == 0 and "close accepted" in out, err
        ended = await s.h.result(workflow_id)
        assert ended.status == "needs_attention"
        assert "(closed by alice: answered by email)" in ended.status_reason
        for _ in range(100):
            code, out, _ = await s.cli(
                "failed", "list", "--workflow", "TierChangeWorkflow", "--ended"
            )
            if "ended needs_attention" in out:
                break
            await asyncio.sleep(0.1)
        assert f"{workflow_id}  TierChangeWorkflow  ended needs_attention" in out
        assert fake.changes == []
