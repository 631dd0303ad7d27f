"""The Jira Cloud client against a fake speaking Jira's wire format."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator

import pytest

from activities.common.errors import to_application_error
from vouchflow.testing.fakes.fake_jira import FakeJira
from vouchflow.triage.jira import JiraClient, JiraError, event_label


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


def client(jira: FakeJira, *, token: str | None = None) -> JiraClient:
    return JiraClient(jira.root_url, email=jira.email, api_token=token or jira.api_token)


async def ensure(c: JiraClient, label: str, known: list[str] | None = None):
    return await c.ensure_issue(
        project_key="SUP",
        issue_type="Task",
        label=label,
        summary="[high] billing: charged twice",
        description=["Ticket T-1 from cust-1", "Second line"],
        extra_labels=["triage-billing"],
        known_ids=known or [],
    )


async def test_creates_with_basic_auth_adf_and_the_event_label(jira: FakeJira) -> None:
    label = event_label("evt-1")
    async with client(jira) as c:
        issue = await ensure(c, label)
    assert issue.created and issue.key == "SUP-1" and issue.url.endswith("/browse/SUP-1")
    search, create = jira.requests
    assert search.path == "/rest/api/3/search/jql" and create.path == "/rest/api/3/issue"
    expected = base64.b64encode(f"{jira.email}:{jira.api_token}".encode()).decode()
    assert create.headers["authorization"] == f"Basic {expected}"
    fields = create.body["fields"]
    assert fields["labels"] == [label, "triage-billing"]
    assert fields["description"]["type"] == "doc" and len(fields["description"]["content"]) == 2
    assert f'labels = "{label}"' in search.body["jql"]


async def test_a_retry_finds_the_issue_instead_of_creating_a_second(jira: FakeJira) -> None:
    label = event_label("evt-retry")
    async with client(jira) as c:
        first = await ensure(c, label)
        again = await ensure(c, label)
    assert first.created and not again.created
    assert again.key == first.key and len(jira.issues) == 1


async def test_a_lost_create_response_is_found_by_the_retry_once_indexed(jira: FakeJira) -> None:
    label = event_label("evt-lost")
    jira.drop_response_after_create()
    async with client(jira) as c:
        with pytest.raises(JiraError) as lost:
            await ensure(c, label)
        assert lost.value.retryable  # 502: Temporal retries the activity
        found = await ensure(c, label)
    assert not found.created and len(jira.issues) == 1


async def test_reconcile_ids_make_a_just_created_issue_visible(jira: FakeJira) -> None:
    """Jira's search lags behind creation; ids this installation recorded are reconciled."""
    jira.index_lag = True
    label = event_label("evt-lag")
    async with client(jira) as c:
        first = await ensure(c, label)
        again = await ensure(c, label, known=[first.id])
    assert not again.created and len(jira.issues) == 1
    assert jira.requests[-1].body["reconcileIssues"] == [int(first.id)]


async def test_wrong_credentials_are_not_retryable(jira: FakeJira) -> None:
    async with client(jira, token="wrong") as c:
        with pytest.raises(JiraError) as refused:
            await ensure(c, event_label("evt-auth"))
    assert refused.value.status == 401 and not refused.value.retryable
    assert "JIRA_API_TOKEN" in str(refused.value)
    assert to_application_error(refused.value).non_retryable
    assert jira.issues == []


async def test_429_carries_retry_after_then_succeeds(jira: FakeJira) -> None:
    jira.rate_limit(1, retry_after=7)
    label = event_label("evt-429")
    async with client(jira) as c:
        with pytest.raises(JiraError) as limited:
            await ensure(c, label)
        assert limited.value.retryable and limited.value.retry_after_s == 7.0
        failure = to_application_error(limited.value)
        assert not failure.non_retryable and failure.next_retry_delay == dt.timedelta(seconds=7)
        issue = await ensure(c, label)
    assert issue.created and len(jira.issues) == 1


async def test_field_validation_errors_are_reported_and_not_retried(jira: FakeJira) -> None:
    async with client(jira) as c:
        with pytest.raises(JiraError) as invalid:
            await c.ensure_issue(
                project_key="NOPE",
                issue_type="Task",
                label=event_label("evt-400"),
                summary="x",
                description=["y"],
            )
    assert invalid.value.status == 400 and not invalid.value.retryable
    assert "project: Specify a valid project ID or key" in str(invalid.value)


async def test_summary_is_one_line_and_bounded(jira: FakeJira) -> None:
    async with client(jira) as c:
        issue = await c.ensure_issue(
            project_key="SUP",
            issue_type="Task",
            label=event_label("evt-long"),
            summary="line one\nline two " + "x" * 400,
            description=["y"],
            extra_labels=["has space", "ok-label"],
        )
    fields = jira.issues[0]["fields"]
    assert issue.created and "\n" not in fields["summary"] and len(fields["summary"]) == 255
    assert "has space" not in fields["labels"] and "ok-label" in fields["labels"]


def test_event_labels_are_jql_safe_and_distinct() -> None:
    labels = {event_label(e) for e in ("a", "a:b", 'x" OR 1=1', "é" * 100)}
    assert len(labels) == 4
    assert all(" " not in lbl and '"' not in lbl and len(lbl) < 60 for lbl in labels)
