"""Remediation after a bad prompt version, and `explain` after Temporal forgot the run,
on the real dev server (visibility queries on the `PromptVersion` search attribute) with
the worker in-process, the OpenAI fake behind the real SDK, and the CLI as users run it.

    two invoices read with invoice_extraction@2: one rejected by a person, one drafted
    -> prompt rollback -> `runs` finds both -> `rerun` by a non-operator is refused
    -> `rerun` by an operator: the rejected one is read again with @1 and drafted once
       (its own effect key), the drafted one is not drafted a second time
    -> a fresh Temporal server that never saw the workflow -> `explain` still answers
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from schemas.common.rollout import RerunRequest
from schemas.invoice.workflow import InvoiceState, InvoiceWorkflowInput
from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import TextInvoice
from tests.test_llm_workflow import answer_for
from vouchflow.cli.app import main as cli_main
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.identity.keys import ensure_person
from vouchflow.prompts.registry import rollback
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio
BAD = "invoice_extraction@2"


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


@pytest.fixture(autouse=True)
def fresh_responder(fake_openai: FakeOpenAI) -> Iterator[None]:
    yield
    fake_openai.respond_with(None)


def worker_settings(home: Path) -> Settings:
    settings = make_settings(
        home,
        extraction__extractor="openai:gpt-5-mini",
        effects__email_delay="1s",
        effects__revert_window="2s",
    )
    llm = copy.deepcopy(settings.integrations.get("llm", {}))
    return settings.model_copy(update={"integrations": {**settings.integrations, "llm": llm}})


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(cli_main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def closed(client: Client, workflow_id: str) -> None:
    for _ in range(400):
        desc = await client.get_workflow_handle(workflow_id).describe()
        if desc.status != WorkflowExecutionStatus.RUNNING:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} still running")


async def run_ids(client: Client, workflow_id: str) -> list[str]:
    return [wf.run_id async for wf in client.list_workflows(f"WorkflowId = '{workflow_id}'")]


def ledger(h: Harness) -> LocalLedger:
    assert isinstance(h.deps.destination, LocalLedger)
    return h.deps.destination


async def test_rerun_after_rollback_keeps_effects_exactly_once_and_explain_outlives_temporal(
    dev_server: WorkflowEnvironment,
    time_skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fresh_server = time_skipping_env
    home = tmp_path / "home"
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(home))
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server.client.service_client.config.target_host)
    rejected = TextInvoice(number="RM-1001")
    drafted = TextInvoice(number="RM-2002")
    fake_openai.script(
        # @2 misreads the first invoice's supplier (unknown supplier: review).
        Reply.json(answer_for(rejected, supplier_name="Acne Ofice Suppliers")),
        Reply.json(answer_for(drafted)),
    )
    # After the rollback, @1 reads both right. The two re-runs ask at the same time, in
    # either order, so each answer goes to the request that carries its document.
    fake_openai.respond_with(
        lambda body: Reply.json(answer_for(rejected if "RM-1001" in str(body) else drafted))
    )
    async with running_harness(dev_server.client, worker_settings(home)) as h:
        client = h.client
        monkeypatch.setenv("VOUCHFLOW_TASK_QUEUE", h.settings.temporal.task_queue)
        ensure_person(home, "mallory")
        ensure_person(home, "alice")

        first = await h.submit(rejected.bytes(), submitted_by="clerk")
        state = await h.wait_status(first.workflow_id, "awaiting_approval")
        assert state.prompt_version == BAD
        assert (await h.decide(first.workflow_id, "reject", "bob", reason="wrong number")).accepted
        second = await h.submit(drafted.bytes(), submitted_by="clerk")
        await closed(client, first.workflow_id)
        await closed(client, second.workflow_id)
        done = await h.result(second.workflow_id)
        assert done.status == "completed" and done.draft_bill is not None
        live_bill = done.draft_bill.bill_id
        assert len(ledger(h).list_bills()) == 1

        rollback("invoice_extraction", home=home)

        code, out, _ = await cli(capsys, "runs", "--prompt-version", BAD, "--workflow", "invoice")
        assert code == 0, out
        assert first.workflow_id in out and second.workflow_id in out
        assert "2 can be re-run" in out

        # A proven person who is not an operator: refused before anything starts.
        code, out, err = await cli(capsys, "rerun", "--prompt-version", BAD, "--as", "mallory")
        assert code == 1 and "not a rollout operator" in err, (out, err)
        assert len(await run_ids(client, first.workflow_id)) == 1

        code, out, err = await cli(
            capsys, "rerun", "--prompt-version", BAD, "--as", "alice", "--reason", "v2 misreads"
        )
        assert code == 0, err
        assert "2 re-run(s) started" in out
        await closed(client, first.workflow_id)
        await closed(client, second.workflow_id)

        redo = await h.result(first.workflow_id)
        assert redo.rerun is not None and redo.rerun.operator == "alice"
        assert redo.prompt_version == "invoice_extraction@1"
        assert redo.status == "completed", redo.status_reason
        assert redo.draft_bill is not None
        # Four-eyes still knows who submitted: the first run proved it.
        assert redo.submitter == "clerk"
        kept = await h.result(second.workflow_id)
        assert kept.status == "needs_attention"
        assert live_bill in kept.status_reason and "no second draft" in kept.status_reason
        bills = ledger(h).list_bills()
        assert sorted(b.bill_id for b in bills) == sorted([live_bill, redo.draft_bill.bill_id])

        trail = h.deps.audit.trail(first.workflow_id)
        requested = [r for r in trail if r.type == "rerun.requested"]
        started = [r for r in trail if r.type == "rerun.started"]
        assert len(requested) == 1 and requested[0].payload["operator"] == "alice"
        assert len(started) == 1 and started[0].payload["context"]["number"] == 1
        intents = [
            r.payload["idempotency_key"]
            for r in trail
            if r.type == "effect.intent" and r.payload["effect"] == "post_draft_bill"
        ]
        assert intents == [f"{first.workflow_id}:draft-bill:rerun-1"]

        code, out, _ = await cli(capsys, "runs", "--prompt-version", BAD)
        assert out.count("already re-run") == 2, out
        code, out, _ = await cli(capsys, "rerun", "--prompt-version", BAD, "--as", "alice")
        assert "nothing to re-run" in out

        # Temporal forgets the workflow (retention, a rebuilt server): a fresh server
        # beside the same audit log and blob store has never heard of it...
        fresh = fresh_server.client
        with pytest.raises(RPCError):
            await fresh.get_workflow_handle(first.workflow_id).describe()
        monkeypatch.setenv("TEMPORAL_ADDRESS", fresh.service_client.config.target_host)
        # ...and explain still answers, from the audit trail and the blob store alone.
        code, out, err = await cli(capsys, "explain", first.workflow_id)
        assert code == 0, err
        for expected in (
            f"Why {first.workflow_id} is completed",
            "Runs: 2",
            "re-run requested",
            "earlier run",
            "ended rejected",
            "Rollout stage: full",
            "Re-run by alice (cli) after prompt version invoice_extraction@2: v2 misreads",
            "Prompt: invoice_extraction version 1",
            "Proposed by:",
            "model gpt-5-mini",
            "settings: {",
            "input: the document text, blob ",
            "input the model saw: blob ",
            "raw answer (redacted, blob ",
            "RM-1001",
            "Checks:",
            "Confidence ",
            "Route: auto_draft",
            "post_draft_bill: done",
            "hash chain intact",
            "How to roll back:",
            "prompt rollback invoice_extraction",
        ):
            assert expected in out, f"{expected!r} not in:\n{out}"


async def test_a_forged_rerun_is_refused_by_the_worker_and_audited(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started straight through the Temporal client, past the CLI's checks: the worker
    verifies the proof and the operator list itself, before anything is read or done."""
    settings = make_settings(
        tmp_path / "home", effects__email_delay="1s", effects__revert_window="2s"
    )
    async with running_harness(dev_server.client, settings) as h:
        sub = await h.submit(TextInvoice(number="RM-3003").bytes())
        await closed(h.client, sub.workflow_id)
        first: InvoiceState = await h.result(sub.workflow_id)
        assert first.status == "completed"

        async def start(token: str, operator: str) -> InvoiceState:
            handle = await h.client.start_workflow(
                "InvoiceWorkflow",
                InvoiceWorkflowInput(
                    event=first.event,
                    rerun=RerunRequest(token=token, operator=operator, prompt_version="x@1"),
                ),
                id=sub.workflow_id,
                task_queue=h.settings.temporal.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                result_type=InvoiceState,
            )
            result: Any = await handle.result()
            return result

        # bob is proven (his own key) but not an operator.
        refused = await start(h.token("bob", sub.workflow_id, "rerun"), "bob")
        assert refused.status == "needs_attention"
        assert "re-run refused: bob is not a rollout operator" in refused.status_reason
        # alice's token for another action proves nothing for a re-run.
        forged = await start(h.token("alice", sub.workflow_id, "approve"), "alice")
        assert forged.status == "needs_attention" and "re-run refused" in forged.status_reason
        reasons = [
            r.payload["reason"]
            for r in h.deps.audit.trail(sub.workflow_id)
            if r.type == "rerun.refused"
        ]
        assert len(reasons) == 2
        # Nothing was read, extracted or drafted by the refused runs.
        assert len(ledger(h).list_bills()) == 1
