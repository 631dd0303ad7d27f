"""The model parser through the shared structured-output call, against the fake OpenAI
server driven by the real SDK; and the workflow with a model in its parser chain."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.proposal.harness import proposal_harness, tier_request
from vouchflow.llm.config import LlmSettings
from vouchflow.prompts.registry import load_spec
from vouchflow.proposal.parser_model import parse_with_model
from vouchflow.proposal.settings import ParserSettings, ProposalSettings
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply

SPEC = load_spec("tier_change_proposal", "1")


def answer(**fields: object) -> dict[str, object]:
    return {
        "current_tier": "standard",
        "target_tier": "premium",
        "effective_date": "2026-12-01T00:00:00+00:00",
        "justification": "The team is growing and needs premium features.",
        "metadata": [{"key": "date_phrase", "value": "from the 1st of next month"}],
        **fields,
    }


@pytest.fixture(scope="module")
def openai_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


def env_for(fake: FakeOpenAI) -> dict[str, str]:
    return {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}


async def test_the_model_proposes_and_code_adds_the_ids(openai_fake: FakeOpenAI) -> None:
    import datetime as dt

    openai_fake.script(Reply.json(answer()))
    event = tier_request(
        "We are growing: move us to premium from the 1st of next month.",
        now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    result = await parse_with_model(
        event=event,
        provider="openai:gpt-5-mini",
        spec=SPEC,
        settings=ParserSettings(),
        llm=LlmSettings(),
        env=env_for(openai_fake),
        token_budget_remaining=10_000,
    )
    proposal = result.proposal
    assert proposal is not None and proposal.customer_id == event.customer.id
    assert (proposal.current_tier, proposal.target_tier) == ("standard", "premium")
    assert proposal.metadata == {"date_phrase": "from the 1st of next month"}
    assert result.parser.prompt_version == "1" and result.parser.kind == "openai"
    # The model saw the request and the stated tier; no prices, thresholds or permissions.
    sent = json.dumps(openai_fake.requests[0].body)
    assert "move us to premium" in sent and "standard" in sent
    for secret in ("29900", "12,000", "approval_above", "premium_min_arr", "approvers"):
        assert secret not in sent


async def test_an_invalid_answer_is_repaired_once_then_fails_closed(
    openai_fake: FakeOpenAI,
) -> None:
    import datetime as dt

    event = tier_request("Upgrade to premium.", now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    kwargs = {
        "event": event,
        "provider": "openai:gpt-5-mini",
        "spec": SPEC,
        "settings": ParserSettings(),
        "llm": LlmSettings(),
        "env": env_for(openai_fake),
        "token_budget_remaining": 10_000,
    }
    openai_fake.script(Reply.json(answer(justification="short")), Reply.json(answer()))
    repaired = await parse_with_model(**kwargs)  # type: ignore[arg-type]
    assert repaired.proposal is not None and len(repaired.attempts) == 2
    openai_fake.script(
        Reply.json(answer(effective_date="next month")), Reply.json(answer(justification="x"))
    )
    closed = await parse_with_model(**kwargs)  # type: ignore[arg-type]
    assert closed.proposal is None and "failed validation twice" in (closed.failure_reason or "")


async def test_the_workflow_records_the_prompt_version_of_a_model_proposal(
    time_skipping_env: WorkflowEnvironment, settings: Settings, openai_fake: FakeOpenAI
) -> None:
    chain = ProposalSettings(parser=ParserSettings(chain="openai:gpt-5-mini"))
    async with proposal_harness(
        time_skipping_env, settings, proposal=chain, env=env_for(openai_fake)
    ) as h:
        now = await h.now()
        openai_fake.script(Reply.json(answer(effective_date=now.isoformat())))
        event = tier_request("We need premium straight away.", customer_id="cus_acme", now=now)
        state = await h.run(event)
        assert state.status == "executed", state.status_reason
        assert state.prompt_version == "tier_change_proposal@1"
        assert state.result is not None and state.result.parser.model == "gpt-5-mini"
        assert "prompt.resolved" in h.audit_types(state.workflow_id)
