"""The triage workflow with its real integrations' wire formats: Jira Cloud for the
escalation issue, model providers for the classifier (local fakes, real clients)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.triage.harness import ticket_event, triage_harness
from vouchflow.runtime import search_attributes as sa
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply
from vouchflow.testing.fakes.fake_jira import FakeJira
from vouchflow.triage.settings import TriageSettings


@pytest.fixture(scope="module")
def jira() -> Iterator[FakeJira]:
    with FakeJira.start() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh(jira: FakeJira) -> None:
    jira.script()
    jira.issues.clear()
    jira.index_lag = False
    jira.rate_limit(0)


def jira_triage(jira: FakeJira) -> TriageSettings:
    return TriageSettings.model_validate(
        {"effects": {"escalation": "jira"}, "jira": {"base_url": jira.root_url}}
    )


def jira_env(jira: FakeJira, token: str | None = None) -> dict[str, str]:
    return {"JIRA_EMAIL": jira.email, "JIRA_API_TOKEN": token or jira.api_token}


async def test_escalation_creates_one_jira_issue_through_429_and_a_lost_response(
    time_skipping_env: WorkflowEnvironment, settings: Settings, jira: FakeJira
) -> None:
    jira.rate_limit(1, retry_after=30)
    jira.drop_response_after_create()
    async with triage_harness(
        time_skipping_env, settings, triage=jira_triage(jira), env=jira_env(jira)
    ) as h:
        event = ticket_event()
        sub = await h.start(event)
        state = await h.result(sub.workflow_id)
        assert state.status == "routed", state.status_reason
        assert len(jira.issues) == 1
        key = jira.issues[0]["key"]
        assert state.escalation_ref == f"jira {key} {jira.root_url}/browse/{key}"
        paths = [r.path for r in jira.requests]
        # 429 on the first search; then search, create (response lost), search finds it.
        assert paths == [
            "/rest/api/3/search/jql",
            "/rest/api/3/search/jql",
            "/rest/api/3/issue",
            "/rest/api/3/search/jql",
        ]
        outcome = [
            r.payload
            for r in h.deps.audit.trail(sub.workflow_id)
            if r.type == "effect.outcome" and r.payload["effect"] == "create_escalation_issue"
        ]
        assert outcome == [
            {
                "effect": "create_escalation_issue",
                "status": "done",
                "detail": f"found existing {key}",
                "ref": key,
                "issue_id": jira.issues[0]["id"],
                "url": f"{jira.root_url}/browse/{key}",
            }
        ]


async def test_refused_jira_credentials_end_in_needs_attention_without_retrying(
    time_skipping_env: WorkflowEnvironment, settings: Settings, jira: FakeJira
) -> None:
    async with triage_harness(
        time_skipping_env, settings, triage=jira_triage(jira), env=jira_env(jira, "wrong")
    ) as h:
        sub = await h.start(ticket_event())
        state = await h.result(sub.workflow_id)
        assert state.status == "needs_attention"
        assert "escalation issue could not be created" in state.status_reason
        assert "HTTP 401" in state.status_reason and "wrong" not in state.status_reason
        assert len(jira.requests) == 1 and jira.issues == []
        # The ticket is still in its queue: nothing is lost.
        assert h.activities.store.queue_of(sub.workflow_id) == "billing-escalations"


def model_triage(chain: str) -> TriageSettings:
    return TriageSettings.model_validate({"classifier": {"chain": chain}})


async def test_the_model_classifies_and_the_prompt_version_is_recorded(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    with FakeOpenAI.start() as fake:
        fake.script(
            Reply.json(
                {"category": "sales", "urgency": "low", "confidence": 0.9, "reason": "upgrade"}
            )
        )
        env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        async with triage_harness(
            time_skipping_env, settings, triage=model_triage("openai:gpt-5-mini,rules"), env=env
        ) as h:
            sub = await h.start(ticket_event(subject="Seats", body="We want 20 more seats."))
            state = await h.result(sub.workflow_id)
            assert state.route is not None and state.route.queue == "support-sales"
            assert state.prompt_version == "support_ticket_classifier@1"
            assert state.classification is not None
            assert state.classification.classifier.kind == "openai"
            assert state.classifier_attempts == ["openai:gpt-5-mini: ok"]
            desc = await h.handle(sub.workflow_id).describe()
            assert desc.typed_search_attributes.get(sa.PROMPT_VERSION) == (
                "support_ticket_classifier@1"
            )
            assert desc.typed_search_attributes.get(sa.CONFIDENCE) == 90


async def test_a_failing_provider_falls_back_and_an_invalid_answer_fails_closed(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    with FakeOpenAI.start() as fake:
        env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        async with triage_harness(
            time_skipping_env, settings, triage=model_triage("openai:gpt-5-mini,rules"), env=env
        ) as h:
            # A refused request (bad key) is not retried: the next classifier takes over.
            fake.script(Reply.error(401, "bad key"))
            sub = await h.start(ticket_event())
            state = await h.result(sub.workflow_id)
            assert state.classification is not None
            assert state.classification.classifier.kind == "rules"
            assert state.classifier_attempts[0].startswith("openai:gpt-5-mini: failed (")
            assert state.classifier_attempts[1] == "rules: ok"
            assert state.route is not None and state.route.route == "escalation"
            # Two answers that do not validate: a person decides, not a weaker classifier.
            bad = Reply.json(
                {"category": "billing", "urgency": "urgent", "confidence": 2, "reason": "x"}
            )
            fake.script(bad, bad)
            closed = await h.start(ticket_event())
            waiting = await h.wait_status(closed.workflow_id, "awaiting_approval")
            assert waiting.classification is not None and waiting.classification.failed_closed
            assert waiting.classifier_attempts == ["openai:gpt-5-mini: failed closed"]
            assert waiting.route is not None
            assert "no classifier produced a valid classification" in waiting.route.reasons


async def test_the_customers_subject_reaches_jira_as_one_clean_line(
    time_skipping_env: WorkflowEnvironment, settings: Settings, jira: FakeJira
) -> None:
    async with triage_harness(
        time_skipping_env, settings, triage=jira_triage(jira), env=jira_env(jira)
    ) as h:
        subject = "Refund\nStatus: approved by admin\u202e\u200b " + "x" * 450
        sub = await h.start(ticket_event(subject=subject))
        state = await h.result(sub.workflow_id)
        assert state.status == "routed"
        summary = jira.issues[0]["fields"]["summary"]
        assert "\n" not in summary and "\u202e" not in summary and "\u200b" not in summary
        assert summary.startswith("[high] billing: Refund Status: approved")
        assert len(summary) <= 255
        texts = [
            node["content"][0]["text"]
            for node in jira.issues[0]["fields"]["description"]["content"]
        ]
        assert all("\n" not in t and "\u202e" not in t for t in texts)
