"""Regenerate the committed reconciliation workflow histories replayed by
tests/test_replay.py.

    .venv/bin/python -m tests.histories.reconciliation.generate

One workflow per way a reconciliation ends (code matched, code found a mismatch, no
agent, the agent's proposal verified, the agent's proposal rejected), on the
time-skipping test server with the model behind the local OpenAI fake. Regenerate only
on purpose: a committed history is the guarantee that running workflows replay on new
code.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from schemas.reconciliation.findings import ReconciliationPolicy
from tests.conftest import make_settings
from tests.reconciliation.harness import (
    TYPO_REF,
    ReconHarness,
    acme_invoice,
    reconciliation_harness,
)
from tests.reconciliation.test_agent_workflow import PROPOSE_RIGHT, QUERY, RECEIPTS
from vouchflow.runtime.binaries import temporal_test_server_path
from vouchflow.testing.fakes import FakeOpenAI, Reply, ScriptedCall

OUT = Path(__file__).resolve().parent
AGENT = ReconciliationPolicy(agent="openai:gpt-5-mini")


async def _code_matched(h: ReconHarness, fake: FakeOpenAI) -> str:
    invoice = acme_invoice().model_copy(update={"subtotal_minor": 9420})
    handle = await h.start(invoice, AGENT, parent="invoice-history-code-matched")
    await handle.result()
    return handle.id


async def _code_mismatch(h: ReconHarness, fake: FakeOpenAI) -> str:
    invoice = acme_invoice().model_copy(update={"subtotal_minor": 49_900})
    handle = await h.start(
        invoice, AGENT, references=["PO-4500-0142"], parent="invoice-history-code-mismatch"
    )
    await handle.result()
    return handle.id


async def _no_agent(h: ReconHarness, fake: FakeOpenAI) -> str:
    handle = await h.start(
        acme_invoice(), None, references=[TYPO_REF], parent="invoice-history-no-agent"
    )
    await handle.result()
    return handle.id


async def _agent_matched(h: ReconHarness, fake: FakeOpenAI) -> str:
    fake.script(Reply.tools(QUERY), Reply.tools(RECEIPTS), Reply.tools(PROPOSE_RIGHT))
    handle = await h.start(
        acme_invoice(), AGENT, references=[TYPO_REF], parent="invoice-history-agent-matched"
    )
    await handle.result()
    return handle.id


async def _agent_rejected(h: ReconHarness, fake: FakeOpenAI) -> str:
    wrong = ScriptedCall(
        "propose_match",
        {"po_number": "PO-4500-0143", "line_numbers": [1, 2, 3], "explanation": "same lines"},
    )
    fake.script(
        Reply.tools(ScriptedCall("approve_payment", {})), Reply.tools(QUERY), Reply.tools(wrong)
    )
    handle = await h.start(
        acme_invoice(), AGENT, references=[TYPO_REF], parent="invoice-history-agent-rejected"
    )
    await handle.result()
    return handle.id


SCENARIOS: dict[str, Callable[[ReconHarness, FakeOpenAI], Awaitable[str]]] = {
    "code_matched": _code_matched,
    "code_mismatch": _code_mismatch,
    "no_agent": _no_agent,
    "agent_matched": _agent_matched,
    "agent_rejected": _agent_rejected,
}


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server_path()),
        data_converter=pydantic_data_converter,
    )
    try:
        with FakeOpenAI.start() as fake:
            provider = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
            for name, scenario in SCENARIOS.items():
                with tempfile.TemporaryDirectory() as tmp:
                    settings = make_settings(Path(tmp) / "home")
                    async with reconciliation_harness(env.client, settings, provider) as h:
                        workflow_id = await scenario(h, fake)
                        history = await h.client.get_workflow_handle(workflow_id).fetch_history()
                out = OUT / f"reconciliation_{name}.json"
                out.write_text(history.to_json())
                print(f"wrote {out.name} ({len(history.events)} events)")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
