"""Monitoring metrics of the tier-change workflow from real runs on one worker (the
production worker, with a metrics runtime), scraped from its Prometheus endpoint: a model
answer after a retried provider error, model answers that fail validation, a low-risk and
a medium-risk change executed automatically, a change a person approves after a day of
waiting, and a change the policy refuses. The scraped series then go through the shipped
alert rules (promtool), which must report them under their workflow type; the dashboard
must group and filter by it. Last, how the audit hook reads the tier change's records."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.common.deps import build_deps
from activities.proposal.activities import ProposalActivities
from schemas.proposal.events import TierChangeRequestedV1
from tests.harness import activity_name
from tests.proposal.harness import ProposalHarness, tier_request
from tests.test_alert_rules import promtool
from tests.test_llm_workflow import GPT5_MINI_COST, USAGE
from tests.test_metrics_scrape import Scrape, free_port, scrape
from vouchflow.observability.audit_metrics import first_route, observations_for
from vouchflow.observability.metrics import (
    ACTIVITY_ATTEMPTS,
    DECISION_LATENCY,
    EFFECTS,
    LLM_COST,
    MODEL_OUTPUTS,
    REVIEWS,
    ROUTED,
    RUNS_FINISHED,
)
from vouchflow.proposal.settings import ParserSettings, ProposalSettings
from vouchflow.runtime.client import metrics_runtime
from vouchflow.runtime.worker import all_activities, build_worker
from vouchflow.settings import Settings
from vouchflow.stores.billing import period_for
from vouchflow.testing.fakes import FakeOpenAI, Reply

TIER_CHANGE = {"workflow_type": "TierChangeWorkflow"}
MODEL = "openai:gpt-5-mini"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def openai_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


@pytest.fixture
async def metrics_client(
    time_skipping_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[Client, str]]:
    bind = f"127.0.0.1:{free_port()}"
    client = await Client.connect(
        time_skipping_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        runtime=metrics_runtime(bind),
    )
    yield client, bind


@pytest.fixture
async def harness(
    time_skipping_env: WorkflowEnvironment,
    metrics_client: tuple[Client, str],
    settings: Settings,
    openai_fake: FakeOpenAI,
) -> AsyncIterator[ProposalHarness]:
    """The worker every workflow runs on in production (its interceptors count activity
    attempts), with the tier-change parser chain asking the model."""
    client, _ = metrics_client
    settings = settings.model_copy(
        update={
            "temporal": settings.temporal.model_copy(
                update={"task_queue": f"proposal-metrics-{uuid.uuid4().hex[:12]}"}
            )
        }
    )
    deps = build_deps(settings)
    proposal = ProposalActivities(
        deps,
        ProposalSettings(parser=ParserSettings(chain=MODEL)),
        env={"OPENAI_API_KEY": openai_fake.api_key, "OPENAI_BASE_URL": openai_fake.base_url},
    )
    replaced = {activity_name(fn) for fn in proposal.all()}
    activities = [a for a in all_activities(deps) if activity_name(a) not in replaced]
    worker = build_worker(client, settings, deps, activities=[*activities, *proposal.all()])
    async with worker:
        h = ProposalHarness(
            client=client,
            settings=settings,
            deps=deps,
            activities=proposal,
            env=time_skipping_env,
        )
        try:
            yield h
        finally:
            await h.terminate_leftovers()


def answer(current: str, target: str, effective: dt.datetime) -> Reply:
    return Reply.json(
        {
            "current_tier": current,
            "target_tier": target,
            "effective_date": effective.isoformat(),
            "justification": "The customer asked for this change in writing.",
            "metadata": [],
        },
        **USAGE,
    )


def request(text: str, customer_id: str, tier: str) -> TierChangeRequestedV1:
    # Stamped by the wall clock, as intake stamps a request: the test server's clock runs
    # ahead whenever it skips a wait, the audit log's clock (time to decision) does not.
    return tier_request(text, customer_id=customer_id, tier=tier, now=dt.datetime.now(dt.UTC))


async def test_tier_change_runs_feed_every_monitoring_metric(
    harness: ProposalHarness,
    metrics_client: tuple[Client, str],
    time_skipping_env: WorkflowEnvironment,
    openai_fake: FakeOpenAI,
    tmp_path: Path,
) -> None:
    h, (_, bind) = harness, metrics_client
    ends: dict[str, str] = {}

    # 1. Medium risk, executed after the automated checks; the provider's first answer is
    # a 500, so Temporal retries the parsing activity.
    now = await h.now()
    openai_fake.script(
        Reply.error(500, "The server had an error while processing your request."),
        answer("standard", "premium", now),
    )
    medium = await h.run(request("Upgrade us to premium straight away.", "cus_acme", "standard"))
    assert medium.route == "execute_after_checks", medium.status_reason
    ends[medium.workflow_id] = medium.status

    # 2. The model's answers fail validation twice: no proposal, a dead letter.
    openai_fake.script(
        Reply.json({"current_tier": "standard", "target_tier": "gold"}, **USAGE),
        Reply.json({"current_tier": "standard", "effective_date": "next month"}, **USAGE),
    )
    unreadable = await h.run(request("Make it gold, whatever that is.", "cus_ember", "standard"))
    assert unreadable.status == "needs_attention", unreadable.status_reason
    ends[unreadable.workflow_id] = unreadable.status

    # 3. Low risk: the next billing period, executed without a person (waits for the date).
    now = await h.now()
    _, next_period = period_for(now, 1)
    openai_fake.script(answer("basic", "standard", next_period))
    low = await h.run(request("Standard from next period please.", "cus_bluebird", "basic"))
    assert low.route == "execute", low.status_reason
    ends[low.workflow_id] = low.status

    # 4. A downgrade with unpaid invoices: refused by the policy.
    now = await h.now()
    openai_fake.script(answer("premium", "standard", period_for(now, 1)[1]))
    refused = await h.run(request("Downgrade us to standard.", "cus_delta", "premium"))
    assert refused.status == "rejected" and refused.policy is not None
    assert refused.policy.route == "refused"
    ends[refused.workflow_id] = refused.status

    # 5. High risk: waits a day for a person (a reminder goes out), then approved with a
    # signed token and executed.
    now = await h.now()
    openai_fake.script(answer("basic", "premium", now))
    sub = await h.start(request("Premium for us, right away.", "cus_cobalt", "basic"))
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await time_skipping_env.sleep(dt.timedelta(hours=25))
    await h.wait_for(sub.workflow_id, lambda s: s.reminders_sent == 1, what="a reminder")
    reply = await h.decide(sub.workflow_id, "approve", "alice")
    assert reply.accepted, reply.reason
    approved = await h.result(sub.workflow_id)
    assert approved.status == "executed" and approved.approved_by == "alice"
    ends[approved.workflow_id] = approved.status

    metrics = await scrape(bind)
    _check_counts(metrics, ends)
    _check_alert_rules_report_it(metrics, tmp_path)
    _check_dashboard_groups_by_workflow_type(metrics)


def _check_counts(m: Scrape, ends: dict[str, str]) -> None:
    tc = TIER_CHANGE
    # Routing: four requests reached the policy decision (the unreadable one never did).
    assert m.total(f"{ROUTED}_total", handling="automatic", **tc) == 2
    assert m.total(f"{ROUTED}_total", handling="person", route="approval", **tc) == 1
    assert m.total(f"{ROUTED}_total", handling="refused", **tc) == 1
    assert m.total(f"{ROUTED}_total", **tc) == 4
    # Reviews: the one approval, unchanged; a policy refusal is nobody's review.
    assert m.total(f"{REVIEWS}_total", decision="approved", overridden="false", **tc) == 1
    assert m.total(f"{REVIEWS}_total", **tc) == 1
    # Schema failures: both answers of the unreadable request; four valid answers.
    assert m.total(f"{MODEL_OUTPUTS}_total", valid="false", **tc) == 2
    assert m.total(f"{MODEL_OUTPUTS}_total", valid="true", **tc) == 4
    # Effects: three changes applied in billing, none failed.
    assert m.total(f"{EFFECTS}_total", effect="billing.tier_change", status="done", **tc) == 3
    assert m.total(f"{EFFECTS}_total", status="failed", **tc) == 0
    # Retries: the provider's 500 made one parsing attempt a retry.
    parse = {"activity_type": "parse_tier_change", **tc}
    assert m.total(f"{ACTIVITY_ATTEMPTS}_total", retry="true", **parse) == 1
    assert m.total(f"{ACTIVITY_ATTEMPTS}_total", retry="false", **parse) == 5
    execute = {"activity_type": "execute_tier_change", **tc}
    assert m.total(f"{ACTIVITY_ATTEMPTS}_total", retry="false", **execute) == 3
    # Time to decision: one sample per routed request, in seconds although the approved
    # one then waited a day and the low-risk one weeks (skipped time) for its date.
    assert m.total(f"{DECISION_LATENCY}_count", **tc) == 4
    assert 0 < m.total(f"{DECISION_LATENCY}_sum", **tc) < 60
    assert m.total(f"{DECISION_LATENCY}_bucket", le="6", **tc) == 4
    # Cost: every answer the model gave (six) at the configured gpt-5-mini prices.
    assert m.total(f"{LLM_COST}_total", **tc) == 6 * GPT5_MINI_COST
    # Every ending counted once, by status; one dead letter.
    for status in set(ends.values()):
        expected = list(ends.values()).count(status)
        assert m.total(f"{RUNS_FINISHED}_total", status=status, **tc) == expected, status
    assert m.total(f"{RUNS_FINISHED}_total", status="needs_attention", **tc) == 1
    assert m.total(f"{RUNS_FINISHED}_total", **tc) == 5


# ---- the shipped alert rules and dashboard ------------------------------------------------


def _input_series(m: Scrape) -> list[dict[str, str]]:
    """Every vouchflow series the tier-change runs left, as promtool input, each growing by
    its scraped value every minute: every rate keeps the scraped proportions."""
    series = []
    for sample in m.samples:
        ours = sample.labels.get("workflow_type") == TIER_CHANGE["workflow_type"]
        if ours and sample.name.startswith("vouchflow_"):
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            series.append(
                {"series": f"{sample.name}{{{labels}}}", "values": f"0+{sample.value!r}x120"}
            )
    return series


def _rounded(value: float) -> float:
    """PromQL's round(value, 0.001), with the same float operations."""
    inverse = 1 / 0.001
    return math.floor(value * inverse + 0.5) / inverse


def _check_alert_rules_report_it(m: Scrape, tmp_path: Path) -> None:
    tc = TIER_CHANGE
    selector = '{workflow_type="TierChangeWorkflow"}'
    model_outputs = m.total(f"{MODEL_OUTPUTS}_total", **tc)
    finished = m.total(f"{RUNS_FINISHED}_total", **tc)
    expected = {
        "vouchflow:schema_failure_ratio:rate1h": _rounded(
            m.total(f"{MODEL_OUTPUTS}_total", valid="false", **tc) / model_outputs
        ),
        "vouchflow:rejection_ratio:rate15m": _rounded(
            m.total(f"{RUNS_FINISHED}_total", status="rejected", **tc) / finished
        ),
        # Fifteen minutes of the runs' endings.
        "vouchflow:runs_finished:increase15m": _rounded(15 * finished),
    }
    checks: list[dict[str, Any]] = [
        {
            "expr": f"round({rule}{selector}, 0.001)",
            "eval_time": "30m",
            "exp_samples": [{"labels": selector, "value": value}],
        }
        for rule, value in expected.items()
    ]
    # Seconds to a decision, not the day the approval waited: the latency alert is quiet.
    checks.append(
        {
            "expr": f"vouchflow:decision_latency_seconds:p95_10m{selector} <= bool 6",
            "eval_time": "30m",
            "exp_samples": [{"labels": selector, "value": 1}],
        }
    )
    # A third of the model's answers failed validation, one run ended needing attention
    # after parking: these page or ticket for the tier change; nothing else fires.
    firing = ["VouchflowDeadLetter", "VouchflowRunParked", "VouchflowSchemaFailureRateHigh"]
    checks.append(
        {
            "expr": 'count by (alertname, workflow_type) (ALERTS{alertstate="firing"})',
            "eval_time": "30m",
            "exp_samples": [
                {"labels": f'{{alertname="{name}",workflow_type="TierChangeWorkflow"}}', "value": 1}
                for name in firing
            ],
        }
    )
    unit = {
        "rule_files": [str(DEPLOY / "prometheus" / "alerts.yml")],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": _input_series(m), "promql_expr_test": checks}],
    }
    (tmp_path / "tier_change_test.yml").write_text(yaml.safe_dump(unit, sort_keys=False))
    result = subprocess.run(
        [promtool(), "test", "rules", "tier_change_test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _check_dashboard_groups_by_workflow_type(m: Scrape) -> None:
    """Every panel sums by workflow_type and filters on the picker alone; the picker lists
    the workflow types the runs report, the tier change among them."""
    dashboard = json.loads((DEPLOY / "grafana" / "vouchflow.json").read_text())
    [picker] = [v for v in dashboard["templating"]["list"] if v["name"] == "workflow_type"]
    listed = re.fullmatch(r"label_values\((\w+), workflow_type\)", picker["definition"])
    assert listed, picker["definition"]
    assert m.total(listed.group(1), **TIER_CHANGE) > 0
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert exprs
    for expr in exprs:
        groupings = re.findall(r"\bby\s*\(([^)]*)\)", expr)
        assert groupings, expr
        for grouping in groupings:
            assert "workflow_type" in {label.strip() for label in grouping.split(",")}, expr
        for metric, matchers in re.findall(r"\b(vouchflow_\w+)\{([^}]*)\}", expr):
            assert 'workflow_type=~"$workflow_type"' in matchers, (metric, expr)
        assert len(re.findall(r"workflow_type\s*=", expr)) == expr.count("$workflow_type"), expr


# ---- how the audit hook reads the tier change's records -------------------------------------

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
STARTED = {"event": {"created_at": (T0 - dt.timedelta(seconds=3)).isoformat()}}


def _observe(type_: str, payload: dict[str, Any]) -> list[tuple[str, dict[str, str], float]]:
    return [
        (o.name, o.attributes, o.value)
        for o in observations_for(
            type_,
            payload,
            workflow_type="TierChangeWorkflow",
            created_at=T0,
            started_payload=lambda: STARTED,
        )
    ]


@pytest.mark.parametrize(
    ("route", "handling"),
    [("execute", "automatic"), ("approval", "person"), ("refused", "refused")],
)
def test_the_policy_decision_routes_a_tier_change(route: str, handling: str) -> None:
    observed = _observe("policy.decided", {"route": route, "risk": None, "reasons": []})
    assert observed == [
        (ROUTED, {**TIER_CHANGE, "route": route, "handling": handling}, 1),
        (DECISION_LATENCY, TIER_CHANGE, 3.0),
    ]


def test_a_medium_risk_change_is_routed_by_its_checks() -> None:
    # The policy only says "after the checks": the checks settle who handles it.
    assert _observe("policy.decided", {"route": "execute_after_checks"}) == []
    passed = _observe("checks.completed", {"passed": True, "checks": []})
    assert passed[0] == (
        ROUTED,
        {**TIER_CHANGE, "route": "execute_after_checks", "handling": "automatic"},
        1,
    )
    failed = _observe("checks.completed", {"passed": False, "checks": []})
    assert failed[0] == (ROUTED, {**TIER_CHANGE, "route": "approval", "handling": "person"}, 1)
    assert failed[1] == (DECISION_LATENCY, TIER_CHANGE, 3.0)
    # Other workflows' records are read as before.
    assert first_route("decision.routed", {"route": "review"}) == "review"
    assert first_route("decision.routed", {"step": "final", "route": "review"}) is None
    assert first_route("risk.escalated", {"from": "medium", "to": "high"}) is None


def test_only_a_persons_decision_is_a_review() -> None:
    # The workflow refusing a change itself (policy, validation, a duplicate) is no review.
    for stage, outcome in [("policy", "downgrade_unpaid_invoices"), ("validation", "no_change")]:
        refusal = {"stage": stage, "outcome": outcome, "reason": "refused"}
        assert _observe("decision.rejected", refusal) == []
    # An approver's rejection carries the person's decision record.
    by_approver = {
        "stage": "approval",
        "outcome": "rejected_by_approver",
        "reason": "carol: ARR too low",
        "decision": {"kind": "reject", "actor": "carol", "accepted": True, "corrections": None},
    }
    assert _observe("decision.rejected", by_approver) == [
        (REVIEWS, {**TIER_CHANGE, "decision": "rejected", "overridden": "false"}, 1)
    ]
    approved = {"kind": "approve", "actor": "alice", "accepted": True, "corrections": None}
    assert _observe("decision.approved", approved) == [
        (REVIEWS, {**TIER_CHANGE, "decision": "approved", "overridden": "false"}, 1)
    ]


def test_every_model_attempt_of_a_proposal_counts() -> None:
    proposed = {
        "parser": {"kind": "openai", "label": "openai gpt-5-mini"},
        "attempts": [
            {"attempt": 1, "provider": MODEL, "ok": False, "errors": ["justification"]},
            {"attempt": 2, "provider": MODEL, "ok": True},
        ],
    }
    assert [
        (name, labels["valid"]) for name, labels, _ in _observe("proposal.proposed", proposed)
    ] == [
        (MODEL_OUTPUTS, "false"),
        (MODEL_OUTPUTS, "true"),
    ]
    # The rules parser asks no model: nothing to count.
    assert _observe("proposal.proposed", {"parser": {"kind": "rules"}, "attempts": []}) == []
