"""The reconciliation workflow on the real time-skipping test server, its agent a scripted
model behind the local fakes (real SDKs, real wire formats): the happy path per
provider, a repeated call, budget exhaustion, a hallucinated tool, invalid arguments, a
proposal code rejects, code deciding alone, and no agent configured."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from schemas.reconciliation.findings import ReconciliationPolicy
from tests.reconciliation.harness import (
    ACME,
    TYPO_REF,
    ReconHarness,
    acme_invoice,
    reconciliation_harness,
)
from vouchflow.reconciliation.routing import reconciliation_review_reasons
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeAnthropic, FakeOpenAI, Reply, ScriptedCall

QUERY = ScriptedCall(
    "query_purchase_orders",
    {
        "supplier_name": ACME,
        "min_amount_minor": 47_000,
        "max_amount_minor": 49_000,
        "currency": "GBP",
        "issued_from": None,
        "issued_to": None,
        "status": "any",
    },
)
RECEIPTS = ScriptedCall("get_goods_receipts", {"po_number": "PO-4500-0142"})
PROPOSE_RIGHT = ScriptedCall(
    "propose_match",
    {
        "po_number": "PO-4500-0142",
        "line_numbers": [1, 2, 3],
        "explanation": "printed PO-4500-O142 is PO-4500-0142 with a letter O; lines match",
    },
)


@pytest.fixture(scope="module")
def openai_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


@pytest.fixture(scope="module")
def anthropic_fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic.start() as fake:
        yield fake


def provider_env(openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": openai_fake.api_key,
        "OPENAI_BASE_URL": openai_fake.base_url,
        "ANTHROPIC_API_KEY": anthropic_fake.api_key,
        "ANTHROPIC_BASE_URL": anthropic_fake.base_url,
    }


@pytest.fixture
async def recon(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    openai_fake: FakeOpenAI,
    anthropic_fake: FakeAnthropic,
) -> AsyncIterator[ReconHarness]:
    env = provider_env(openai_fake, anthropic_fake)
    async with reconciliation_harness(time_skipping_env.client, settings, env) as h:
        yield h


def policy(agent: str = "openai:gpt-5-mini", **overrides: Any) -> ReconciliationPolicy:
    return ReconciliationPolicy(agent=agent, **overrides)


def step_shape(harness: ReconHarness, workflow_id: str) -> list[dict[str, Any]]:
    return [r.payload for r in harness.audit(workflow_id) if r.type == "reconciliation.step"]


@pytest.mark.parametrize(
    "agent", ["openai:gpt-5-mini", "anthropic:claude-sonnet-4-6", "openai-compatible:qwen3"]
)
async def test_the_agent_finds_the_po_behind_a_typo_and_code_verifies_it(
    recon: ReconHarness, openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic, agent: str
) -> None:
    fake: FakeOpenAI | FakeAnthropic = (
        anthropic_fake if agent.startswith("anthropic") else openai_fake
    )
    fake.script(
        Reply.tools(QUERY, input_tokens=900, output_tokens=60),
        Reply.tools(RECEIPTS, input_tokens=1_400, output_tokens=40),
        Reply.tools(PROPOSE_RIGHT, input_tokens=1_700, output_tokens=80),
    )
    result, state, wid = await recon.run(acme_invoice(), policy(agent), references=[TYPO_REF])

    assert result.status == "matched", result.reason
    assert result.decided_by == "agent"
    assert result.po_number == "PO-4500-0142"
    assert result.verification is not None and result.verification.verified
    assert any("edit(s) from PO-4500-0142" in p for p in result.verification.passed)
    assert reconciliation_review_reasons(result) == []
    assert result.agent is not None
    assert (result.agent.iterations, result.agent.tool_calls) == (3, 2)
    assert result.agent.tokens == 900 + 60 + 1_400 + 40 + 1_700 + 80
    # Code could not decide alone: two open POs of the supplier fit the amount.
    assert state.deterministic is not None and state.deterministic.finding.kind == "ambiguous"

    # Native wire formats: the tool results went back the way each API expects them.
    assert fake.remaining() == 0
    last = fake.requests[-1].body
    if agent.startswith("openai:"):
        assert fake.requests[-1].path == "/v1/responses"
        assert last["tool_choice"] == "required"
        kinds = [i.get("type") for i in last["input"] if isinstance(i, dict)]
        assert kinds.count("function_call") == 2 and kinds.count("function_call_output") == 2
    elif agent.startswith("anthropic"):
        results = [
            b
            for m in last["messages"]
            if m["role"] == "user"
            for b in m["content"]
            if b.get("type") == "tool_result"
        ]
        assert len(results) == 2 and last["tool_choice"] == {"type": "any"}
        assert {t["name"] for t in last["tools"]} >= {"propose_match", "escalate"}
    else:
        assert fake.requests[-1].path == "/v1/chat/completions"
        assert [m["role"] for m in last["messages"]].count("tool") == 2

    # Every step audited in one shape, in order.
    steps = step_shape(recon, wid)
    assert [(s["step"], s["type"], s["tool"], s["status"]) for s in steps] == [
        (1, "model_turn", None, "ok"),
        (2, "tool_call", "query_purchase_orders", "ok"),
        (3, "model_turn", None, "ok"),
        (4, "tool_call", "get_goods_receipts", "ok"),
        (5, "model_turn", None, "ok"),
        (6, "tool_call", "propose_match", "proposal"),
    ]
    for s in steps:
        assert set(s) == {
            "run_id",
            "step",
            "type",
            "tool",
            "input",
            "output_summary",
            "latency_ms",
            "tokens",
            "status",
        }
    assert steps[0]["tokens"] == 960 and steps[1]["input"]["supplier_name"] == ACME
    assert "3 purchase order(s) found" in steps[1]["output_summary"]  # one closed
    finished = [r for r in recon.audit(wid) if r.type == "reconciliation.finished"]
    assert finished[-1].payload["status"] == "matched"


async def test_a_repeated_call_stops_the_loop_and_escalates(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    openai_fake.script(Reply.tools(QUERY), Reply.tools(QUERY))
    result, state, _wid = await recon.run(acme_invoice(), policy(), references=[TYPO_REF])

    assert result.status == "escalated"
    assert result.agent is not None and result.agent.stop_reason == "repeated_call"
    assert result.agent.tool_calls == 1  # the repeat never ran
    assert "PO-4500-0142" in result.reason and "PO-4500-0143" in result.reason
    assert [s.status for s in state.steps] == ["ok", "ok", "ok", "repeated"]
    reasons = reconciliation_review_reasons(result)
    assert any("repeated_call" in r for r in reasons)
    assert any("open POs of this supplier" in r for r in reasons)


async def test_the_token_budget_kept_in_workflow_state_stops_the_loop(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    openai_fake.script(
        Reply.tools(QUERY, input_tokens=700, output_tokens=100),
        Reply.tools(RECEIPTS, input_tokens=900, output_tokens=100),
    )
    result, state, _ = await recon.run(
        acme_invoice(), policy(token_budget=1_500), references=[TYPO_REF]
    )
    assert result.status == "escalated"
    assert result.agent is not None and result.agent.stop_reason == "token_budget"
    assert result.agent.tokens == 1_800 and result.agent.model_turns == 2
    # The second turn's tool call was not run: the budget was spent when it came back.
    assert [s.tool for s in state.steps if s.type == "tool_call"] == ["query_purchase_orders"]
    assert openai_fake.remaining() == 0


async def test_a_hallucinated_tool_is_refused_and_never_runs(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    openai_fake.script(
        Reply.tools(ScriptedCall("approve_payment", {"po_number": "PO-4500-0142"})),
        Reply.tools(ScriptedCall("escalate", {"reason": "cannot tell the two POs apart"})),
    )
    result, state, wid = await recon.run(acme_invoice(), policy(), references=[TYPO_REF])

    assert result.status == "escalated"
    assert result.agent is not None and result.agent.stop_reason == "model_escalated"
    assert "cannot tell the two POs apart" in result.reason
    rejected = state.steps[1]
    assert (rejected.tool, rejected.status) == ("approve_payment", "rejected")
    assert "unknown tool" in rejected.output_summary
    # The model was told, in the native format, and nothing by that name ever ran.
    outputs = [
        i for i in openai_fake.requests[1].body["input"] if i.get("type") == "function_call_output"
    ]
    assert len(outputs) == 1 and outputs[0]["output"].startswith("ERROR: unknown tool")
    history = await recon.client.get_workflow_handle(wid).fetch_history()
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    assert "approve_payment" not in scheduled
    assert scheduled.count("reconciliation_model_turn") == 2


async def test_invalid_arguments_are_refused_before_execution_and_the_model_may_retry(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    openai_fake.script(
        # No supplier and no amount: the tool refuses to list every PO.
        Reply.tools(ScriptedCall("query_purchase_orders", {"status": "open"})),
        Reply.tools(ScriptedCall("get_purchase_order", '{"po_number": 4500')),
        Reply.tools(QUERY),
        Reply.tools(PROPOSE_RIGHT),
    )
    result, state, _ = await recon.run(acme_invoice(), policy(), references=[TYPO_REF])

    assert result.status == "matched", result.reason
    statuses = [(s.tool, s.status) for s in state.steps if s.type == "tool_call"]
    assert statuses == [
        ("query_purchase_orders", "rejected"),
        ("get_purchase_order", "rejected"),
        ("query_purchase_orders", "ok"),
        ("propose_match", "proposal"),
    ]
    assert "give a supplier_name or an amount range" in state.steps[1].output_summary
    assert "not valid JSON" in state.steps[3].output_summary
    assert result.agent is not None and result.agent.tool_calls == 1


async def test_a_proposal_code_rejects_goes_to_review_with_the_finding(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    wrong = ScriptedCall(
        "propose_match",
        {"po_number": "PO-4500-0143", "line_numbers": [1, 2, 3], "explanation": "same lines"},
    )
    openai_fake.script(Reply.tools(QUERY), Reply.tools(wrong))
    result, _state, _ = await recon.run(acme_invoice(), policy(), references=[TYPO_REF])

    assert result.status == "escalated"
    assert result.agent is not None and result.agent.stop_reason == "proposal_rejected"
    assert result.verification is not None and not result.verification.verified
    assert any("ambiguous" in p and "PO-4500-0142" in p for p in result.verification.problems)
    reasons = reconciliation_review_reasons(result)
    assert any("proposed PO PO-4500-0143" in r and "did not verify" in r for r in reasons)
    assert result.po_number is None


async def test_code_decides_alone_when_it_can_and_no_model_is_called(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    openai_fake.script()
    invoice = acme_invoice().model_copy(update={"subtotal_minor": 9420, "total_minor": 11304})
    result, state, _ = await recon.run(invoice, policy())
    assert result.status == "matched" and result.decided_by == "code"
    assert result.po_number == "PO-4500-0160"
    assert result.finding.match_type == "three_way"
    assert openai_fake.requests == [] and state.agent is None


async def test_without_an_agent_what_code_cannot_decide_goes_to_review(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    openai_fake.script()
    result, _, wid = await recon.run(acme_invoice(), policy("none"), references=[TYPO_REF])
    assert result.status == "escalated" and result.decided_by == "nobody"
    assert "no agent is configured" in result.reason
    reasons = reconciliation_review_reasons(result)
    assert reasons and "2 open POs of this supplier" in reasons[0]
    assert openai_fake.requests == []
    undecided = [r for r in recon.audit(wid) if r.type == "reconciliation.undecided"]
    assert json.dumps(undecided[0].payload["candidates"]).count("PO-4500-01") >= 2


async def test_the_policy_comes_from_settings_when_the_caller_gives_none(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    openai_fake.script()
    result, state, _ = await recon.run(acme_invoice(), None, references=[TYPO_REF])
    assert state.policy is not None and state.policy.agent == "none"  # the embedded default
    assert result.decided_by == "nobody"


async def test_explain_shows_the_loop_from_the_audit_trail(
    recon: ReconHarness, openai_fake: FakeOpenAI
) -> None:
    from vouchflow.reconciliation.explain import explain_reconciliation

    openai_fake.script(
        Reply.tools(ScriptedCall("approve_payment", {})),
        Reply.tools(QUERY, input_tokens=500, output_tokens=20),
        Reply.tools(PROPOSE_RIGHT),
    )
    _, _, wid = await recon.run(acme_invoice(), policy(), references=[TYPO_REF])
    text = "\n".join(explain_reconciliation(recon.audit(wid)))
    assert "code could not decide: ambiguous" in text
    assert "PO numbers printed: PO-4500-O142" in text
    assert "tool_call approve_payment [rejected]" in text
    assert "3. model_turn model [ok]" in text and "520 tokens" in text
    assert "tool_call query_purchase_orders [ok]" in text and '"supplier_name"' in text
    assert "tool_call propose_match [proposal]" in text
    assert "result: matched (decided by agent), PO PO-4500-0142" in text
    assert "stopped: proposal_verified" in text
