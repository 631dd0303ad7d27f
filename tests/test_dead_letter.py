"""The dead letter for invoices, on the real dev server (visibility queries on the
`VouchflowDeadLetter` search attribute) with the worker in-process, the Xero fake behind
the real Xero client, and the CLI as operators run it.

    Xero refuses every bill for longer than the retry budget -> the run parks (failure,
    attempts, what it needs) -> `failed list` shows it -> a non-operator is refused
    (by the CLI, and by the worker when the CLI is bypassed), both audited -> Xero
    recovers -> an operator resumes -> exactly one bill, under the first idempotency key

    a run that would end needs_attention (the duplicate check could not run) parks ->
    resume is refused (nothing to resume) -> re-run from the start -> drafted once

    a parked run closed by an operator ends needs_attention; `failed rerun --from-start`
    starts it again as a new run
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from schemas.common.audit import AuditRecord
from schemas.common.dead_letter import DeadLetterReply, DeadLetterRequest, DeadLetterView
from schemas.invoice.workflow import InvoiceState
from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import TextInvoice
from vouchflow.cli.app import main as cli_main
from vouchflow.identity.keys import ensure_person
from vouchflow.runtime import search_attributes as sa
from vouchflow.testing.fakes.fake_xero import FakeXero

pytestmark = pytest.mark.asyncio
SUPPLIER = "Acme Office Supplies Ltd"
# The draft-bill activity's retry budget (workflows/invoice/options.py POST).
POST_BUDGET = 10


@dataclass
class Stack:
    h: Harness
    xero: FakeXero
    capsys: pytest.CaptureFixture[str]

    async def cli(self, *argv: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(cli_main, list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def trail(self, workflow_id: str) -> list[AuditRecord]:
        return self.h.deps.audit.trail(workflow_id)

    def bill_puts(self) -> int:
        return len(self.xero.api_requests("PUT", "/Invoices"))

    async def view(self, workflow_id: str) -> DeadLetterView:
        view: DeadLetterView = await self.h.handle(workflow_id).query(
            "dead_letter", result_type=DeadLetterView
        )
        return view

    async def parked(self, workflow_id: str) -> DeadLetterView:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        while loop.time() < deadline:
            try:
                view = await self.view(workflow_id)
            except Exception:  # not started yet
                view = DeadLetterView()
            if view.parked is not None:
                return view
            await asyncio.sleep(0.1)
        state = await self.h.state(workflow_id)
        raise AssertionError(f"never parked: {state.status} {state.status_reason}")

    async def listed(self, predicate: Callable[[str], bool], *argv: str) -> str:
        """`failed list ...` until its output satisfies `predicate` (visibility lags)."""
        out = ""
        for _ in range(100):
            code, out, err = await self.cli("failed", "list", *argv)
            assert code == 0, err
            if predicate(out):
                return out
            await asyncio.sleep(0.1)
        raise AssertionError(f"failed list never matched:\n{out}")

    async def submit_and_approve(self, invoice: TextInvoice) -> str:
        sub = await self.h.submit(invoice.bytes(), submitted_by="clerk")
        state = await self.h.wait_status(
            sub.workflow_id, "awaiting_approval", "needs_attention", "posting", "drafted"
        )
        if state.status == "awaiting_approval":
            reply = await self.h.decide(sub.workflow_id, "approve", "alice")
            assert reply.accepted, reply.reason
        return sub.workflow_id


@asynccontextmanager
async def xero_stack(
    dev_server: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> AsyncIterator[Stack]:
    home = tmp_path / "home"
    # Generous rate limit: these tests count the bill attempts the retries make.
    xero = FakeXero(calls_per_minute=10_000).start()
    try:
        xero.add_contact(SUPPLIER)
        for name, value in xero.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("VOUCHFLOW_HOME", str(home))
        monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server.client.service_client.config.target_host)
        settings = make_settings(
            home,
            effects__destination="xero",
            effects__email_delay="1s",
            effects__revert_window="2s",
        )
        async with running_harness(dev_server.client, settings) as h:
            monkeypatch.setenv("VOUCHFLOW_TASK_QUEUE", h.settings.temporal.task_queue)
            for person in ("alice", "mallory"):
                ensure_person(home, person)
            yield Stack(h=h, xero=xero, capsys=capsys)
    finally:
        xero.stop()


async def closed(client: Client, workflow_id: str) -> None:
    for _ in range(600):
        desc = await client.get_workflow_handle(workflow_id).describe()
        if desc.status != WorkflowExecutionStatus.RUNNING:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} still running")


async def dead_letter_attribute(client: Client, workflow_id: str) -> str | None:
    desc = await client.get_workflow_handle(workflow_id).describe()
    return desc.typed_search_attributes.get(sa.DEAD_LETTER)


async def test_a_draft_xero_keeps_refusing_parks_and_an_operator_resumes_it_into_one_bill(
    dev_server: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with xero_stack(dev_server, tmp_path, monkeypatch, capsys) as s:
        # Xero answers every bill with 429 for longer than the retry budget lasts.
        s.xero.inject(429, POST_BUDGET, retry_after=1, method="PUT", path="/Invoices")
        workflow_id = await s.submit_and_approve(TextInvoice(supplier=SUPPLIER, number="DL-1001"))

        view = await s.parked(workflow_id)
        parked = view.parked
        assert parked is not None
        assert parked.kind == "effect_failed" and parked.step == "post_draft_bill"
        assert parked.retry_state == "MAXIMUM_ATTEMPTS_REACHED"
        assert parked.attempts == POST_BUDGET and parked.retry_budget == POST_BUDGET
        assert parked.resumable and "--resume" in parked.needs
        assert "the draft bill could not be created" in parked.reason
        assert s.bill_puts() == POST_BUDGET and s.xero.invoices == {}
        state: InvoiceState = await s.h.state(workflow_id)
        assert state.status == "needs_attention"
        assert await dead_letter_attribute(s.h.client, workflow_id) == "effect_failed"
        (record,) = [r for r in s.trail(workflow_id) if r.type == "dead_letter.parked"]
        assert record.payload["attempts"] == POST_BUDGET
        assert record.payload["step"] == "post_draft_bill"

        out = await s.listed(lambda o: workflow_id in o, "--workflow", "invoice")
        assert "parked: effect_failed" in out and "step post_draft_bill" in out
        assert f"{POST_BUDGET}/{POST_BUDGET} attempts" in out and "1 parked run(s)" in out
        out = await s.listed(lambda o: "no runs" in o, "--workflow", "triage")

        # A proven person who is not an operator: the CLI refuses it, audited.
        code, _, err = await s.cli("failed", "rerun", workflow_id, "--resume", "--as", "mallory")
        assert code == 3 and "not a rollout operator" in err, err
        # Past the CLI, straight to the workflow: the worker refuses it too, audited.
        reply: DeadLetterReply = await s.h.handle(workflow_id).execute_update(
            "dead_letter",
            DeadLetterRequest(action="resume", token=s.h.token("mallory", workflow_id, "operate")),
            result_type=DeadLetterReply,
        )
        assert not reply.accepted and "not a rollout operator" in reply.reason
        # A typed name with someone else's token proves nothing either.
        forged = await s.h.handle(workflow_id).execute_update(
            "dead_letter",
            DeadLetterRequest(
                action="resume",
                operator="alice",
                token=s.h.token("alice", workflow_id, "approve"),
            ),
            result_type=DeadLetterReply,
        )
        assert not forged.accepted
        refused = [r for r in s.trail(workflow_id) if r.type == "dead_letter.refused"]
        assert [(r.run_id == "cli", r.payload["actor"]) for r in refused] == [
            (True, "mallory"),
            (False, "mallory"),
            (False, "alice"),
        ]
        assert s.bill_puts() == POST_BUDGET and s.xero.invoices == {}

        # Xero has recovered (the storm is over): the operator resumes the same step.
        code, out, err = await s.cli(
            "failed", "rerun", workflow_id, "--as", "alice", "--reason", "Xero is back"
        )
        assert code == 0, err
        assert "resume accepted" in out and "same idempotency key" in out
        state = await s.h.wait_status(workflow_id, "drafted", "completed", timeout_s=60)
        assert state.draft_bill is not None
        (bill,) = s.xero.invoices.values()
        assert bill["InvoiceID"] == state.draft_bill.bill_id and bill["Status"] == "DRAFT"
        assert s.bill_puts() == POST_BUDGET + 1
        trail = s.trail(workflow_id)
        keys = {
            r.payload["idempotency_key"]
            for r in trail
            if r.type == "effect.intent" and r.payload["effect"] == "post_draft_bill"
        }
        assert keys == {f"{workflow_id}:draft-bill"}
        (resolved,) = [r for r in trail if r.type == "dead_letter.resolved"]
        assert resolved.payload["action"] == "resume"
        assert resolved.payload["operator"] == "alice"
        assert resolved.payload["proof"].startswith("token:alice/")
        requested = [r for r in trail if r.type == "dead_letter.requested"]
        assert [r.payload["operator"] for r in requested] == ["alice"]
        types = [r.type for r in trail]
        assert types.index("dead_letter.requested") < types.index("dead_letter.resolved")
        assert await dead_letter_attribute(s.h.client, workflow_id) is None
        await s.listed(lambda o: "no runs in the dead letter" in o)
        # Acting on a run that is not parked is refused before it reaches the workflow.
        code, _, err = await s.cli("failed", "close", workflow_id, "--as", "alice", "--reason", "x")
        assert code == 1 and "not parked" in err, err
        assert s.h.deps.audit.verify().ok


async def test_a_run_that_needs_attention_parks_and_is_rerun_from_the_start(
    dev_server: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with xero_stack(dev_server, tmp_path, monkeypatch, capsys) as s:
        # The duplicate check cannot reach Xero for longer than its retry budget: the
        # invoice cannot be proven safe, so it needs a person (not an effect to retry).
        s.xero.inject(429, 10, retry_after=1, method="GET", path="/Contacts")
        sub = await s.h.submit(TextInvoice(supplier=SUPPLIER, number="DL-2002").bytes())
        workflow_id = sub.workflow_id
        view = await s.parked(workflow_id)
        assert view.parked is not None
        assert view.parked.kind == "needs_attention" and not view.parked.resumable
        assert "could not be checked" in view.parked.reason
        assert "--from-start" in view.parked.needs

        code, _, err = await s.cli("failed", "rerun", workflow_id, "--resume", "--as", "alice")
        assert code == 3 and "nothing to resume" in err, err
        # Without a flag: what it can do, i.e. from the start.
        code, out, err = await s.cli(
            "failed", "rerun", workflow_id, "--as", "alice", "--reason", "Xero reachable again"
        )
        assert code == 0, err
        assert "rerun accepted" in out
        state = await s.h.wait_for(
            workflow_id,
            lambda st: (
                st.rerun is not None and st.status in ("drafted", "completed", "awaiting_approval")
            ),
            what="re-run reached a resting state",
            timeout_s=60,
        )
        if state.status == "awaiting_approval":
            assert (await s.h.decide(workflow_id, "approve", "alice")).accepted
            state = await s.h.wait_status(workflow_id, "drafted", "completed", timeout_s=60)
        assert state.rerun is not None and state.rerun.operator == "alice"
        assert state.rerun.context.number == 1
        assert state.submitter == "clerk"  # four-eyes still knows who submitted
        assert len(s.xero.invoices) == 1
        trail = s.trail(workflow_id)
        keys = [
            r.payload["idempotency_key"]
            for r in trail
            if r.type == "effect.intent" and r.payload["effect"] == "post_draft_bill"
        ]
        assert keys == [f"{workflow_id}:draft-bill:rerun-1"]
        (resolved,) = [r for r in trail if r.type == "dead_letter.resolved"]
        assert resolved.payload["action"] == "rerun"
        assert [r.payload["reason"] for r in trail if r.type == "dead_letter.refused"] == [
            "nothing to resume: assessing cannot be retried on its own; re-run it from the"
            " start or close it"
        ]
        started = [r for r in trail if r.type == "rerun.started"]
        assert len(started) == 1 and started[0].payload["operator"] == "alice"
        runs = [
            wf.run_id async for wf in s.h.client.list_workflows(f"WorkflowId = '{workflow_id}'")
        ]
        assert len(set(runs)) >= 1
        assert len({r.run_id for r in trail if r.run_id != "cli"}) == 2


async def test_a_closed_run_ends_needs_attention_and_can_be_started_again(
    dev_server: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with xero_stack(dev_server, tmp_path, monkeypatch, capsys) as s:
        s.xero.inject(429, POST_BUDGET, retry_after=1, method="PUT", path="/Invoices")
        workflow_id = await s.submit_and_approve(TextInvoice(supplier=SUPPLIER, number="DL-3003"))
        await s.parked(workflow_id)

        code, _, err = await s.cli(
            "failed", "close", workflow_id, "--as", "mallory", "--reason", "no"
        )
        assert code == 3 and "not a rollout operator" in err
        code, out, err = await s.cli(
            "failed", "close", workflow_id, "--as", "alice", "--reason", "entered by hand in Xero"
        )
        assert code == 0 and "close accepted" in out, err
        await closed(s.h.client, workflow_id)
        ended: InvoiceState = await s.h.result(workflow_id)
        assert ended.status == "needs_attention"
        assert "the draft bill could not be created" in ended.status_reason
        assert "(closed by alice: entered by hand in Xero)" in ended.status_reason
        assert s.xero.invoices == {}

        out = await s.listed(lambda o: workflow_id in o, "--ended")
        assert "ended needs_attention" in out and "--from-start" in out
        code, _, err = await s.cli("failed", "rerun", workflow_id, "--resume", "--as", "alice")
        assert code == 1 and "only be re-run from the start" in err
        code, out, err = await s.cli(
            "failed", "rerun", workflow_id, "--from-start", "--as", "alice", "--reason", "retry"
        )
        assert code == 0 and "rerun started" in out, err
        state = await s.h.wait_status(workflow_id, "awaiting_approval", "drafted", "completed")
        if state.status == "awaiting_approval":
            assert (await s.h.decide(workflow_id, "approve", "alice")).accepted
            state = await s.h.wait_status(workflow_id, "drafted", "completed")
        assert state.rerun is not None and state.rerun.operator == "alice"
        assert len(s.xero.invoices) == 1
        requested = [r for r in s.trail(workflow_id) if r.type == "rerun.requested"]
        assert len(requested) == 1 and requested[0].payload["from"] == "dead_letter"
