"""Monitoring metrics from real runs: invoices (a repaired model answer, a retried call,
a corrected review, a refusal, a bad file) and a ticket on one worker, scraped from the
worker's Prometheus endpoint; then every expression of the shipped dashboard and alert
rules must name a metric that endpoint really exports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment

from tests.harness import Harness, running_harness
from tests.invoice_texts import TextInvoice
from tests.test_llm_workflow import USAGE, answer_for, llm_settings
from tests.test_metrics_scrape import Scrape, free_port, metric_names, scrape
from tests.triage.harness import ticket_event
from vouchflow.observability.metrics import (
    ACTIVITY_ATTEMPTS,
    DECISION_LATENCY,
    MODEL_OUTPUTS,
    REVIEWS,
    ROUTED,
    RUNS_FINISHED,
    SHADOW_COMPARISONS,
)
from vouchflow.observability.shadow import record_shadow_comparison
from vouchflow.runtime.client import metrics_runtime
from vouchflow.testing.fakes import FakeOpenAI, Reply
from vouchflow.triage.intake import start_triage

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
INVOICE = "InvoiceWorkflow"


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


@pytest.fixture
async def metrics_client(
    time_skipping_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[Client, Runtime, str]]:
    bind = f"127.0.0.1:{free_port()}"
    runtime = metrics_runtime(bind)
    client = await Client.connect(
        time_skipping_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )
    yield client, runtime, bind


async def _rest(h: Harness, workflow_id: str) -> str:
    state = await h.wait_status(
        workflow_id, "drafted", "completed", "awaiting_approval", "needs_attention", "flagged"
    )
    return state.status


async def _routed(h: Harness, workflow_id: str) -> None:
    for _ in range(300):
        if any(r.type == "decision.routed" for r in h.deps.audit.trail(workflow_id)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} was never routed")


async def test_runs_feed_every_monitoring_metric(
    time_skipping_env: WorkflowEnvironment,
    metrics_client: tuple[Client, Runtime, str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, runtime, bind = metrics_client
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    async with running_harness(client, llm_settings(tmp_path / "home")) as h:
        h.env = time_skipping_env  # results skip the email delay and revert window
        # 1. A first answer that fails validation, repaired by the second.
        repaired = TextInvoice(number="MET-1")
        fake_openai.script(
            Reply.json(answer_for(repaired, issue_date="01/10/2026"), **USAGE),
            Reply.json(answer_for(repaired), **USAGE),
        )
        first = await h.submit(repaired.bytes())
        await _rest(h, first.workflow_id)
        # 2. A provider 500: Temporal retries the activity.
        retried = TextInvoice(number="MET-2", supplier="Globex Stationery Ltd")
        fake_openai.script(
            Reply.error(500, "The server had an error while processing your request."),
            Reply.json(answer_for(retried), **USAGE),
        )
        second = await h.submit(retried.bytes())
        await _rest(h, second.workflow_id)
        # 3. No invoice number: a person supplies it (an override of the model's answer).
        unnumbered = TextInvoice(number=None, supplier="Initech Paper Ltd")
        fake_openai.script(Reply.json(answer_for(unnumbered), **USAGE))
        third = await h.submit(unnumbered.bytes())
        assert await _rest(h, third.workflow_id) == "awaiting_approval"
        await h.signal_decision(
            third.workflow_id, "approve", "alice", corrections={"invoice_number": "MET-3"}
        )
        await h.wait_status(third.workflow_id, "drafted", "completed")
        # 4. A refusal and no fallback: a dead letter.
        fake_openai.script(Reply.refusal())
        refused = await h.submit(TextInvoice(number="MET-4", supplier="Umbrella Ltd").bytes())
        # 5. A file that is no invoice at all.
        empty = await h.submit(b"", filename="empty.pdf")
        # 6. A ticket on the same worker (the rules classifier, no model).
        ticket = await start_triage(client, h.settings.temporal.task_queue, ticket_event())
        h.submitted.append(ticket.workflow_id)
        results = {
            sub.workflow_id: (await h.result(sub.workflow_id)).status
            for sub in (first, second, third, refused, empty)
        }
        await _routed(h, ticket.workflow_id)
        # 7. A shadow comparison, as the shadow runs record it.
        record_shadow_comparison(
            candidate="invoice_extraction@3",
            agreed=True,
            workflow_type=INVOICE,
            meter=runtime.metric_meter,
        )
        record_shadow_comparison(
            candidate="invoice_extraction@3",
            agreed=False,
            workflow_type=INVOICE,
            meter=runtime.metric_meter,
        )
        metrics = await scrape(bind)

    assert results[refused.workflow_id] == "needs_attention"
    assert results[empty.workflow_id] == "rejected_input"
    _check_counts(metrics, results)
    _check_shipped_expressions(metrics)


def _check_counts(m: Scrape, results: Mapping[str, str]) -> None:
    inv = {"workflow_type": INVOICE}
    # Schema failures: the repaired invoice's first answer only.
    assert m.total(f"{MODEL_OUTPUTS}_total", valid="false", **inv) == 1
    assert m.total(f"{MODEL_OUTPUTS}_total", valid="true", **inv) == 3
    # Overrides: the one corrected approval.
    assert m.total(f"{REVIEWS}_total", overridden="true", decision="approved", **inv) == 1
    assert m.total(f"{REVIEWS}_total", overridden="false", **inv) == 0
    # Routing: three invoices reached a decision (the refusal and the empty file never
    # did); the unnumbered one went to a person.
    assert m.total(f"{ROUTED}_total", **inv) == 3
    assert m.total(f"{ROUTED}_total", handling="person", **inv) >= 1
    assert m.total(f"{ROUTED}_total", workflow_type="TriageWorkflow") == 1
    # Every ending counted once, by status; one dead letter.
    for status in set(results.values()):
        expected = list(results.values()).count(status)
        assert m.total(f"{RUNS_FINISHED}_total", status=status, **inv) == expected, status
    assert m.total(f"{RUNS_FINISHED}_total", status="needs_attention", **inv) == 1
    # Retries: the 500 made one extraction attempt a retry.
    retried = m.total(
        f"{ACTIVITY_ATTEMPTS}_total", retry="true", activity_type="extract_invoice_fields"
    )
    assert retried == 1
    assert m.total(f"{ACTIVITY_ATTEMPTS}_total", retry="false", **inv) > 10
    # Time to decision: one sample per routed invoice, under a minute here.
    assert m.total(f"{DECISION_LATENCY}_count", **inv) == 3
    assert 0 < m.total(f"{DECISION_LATENCY}_sum", **inv) < 60
    assert m.total(f"{DECISION_LATENCY}_bucket", le="6", **inv) == 3
    # Written by the workflows themselves, labelled by the workflow meter: the dashboard
    # groups them by workflow_type like the rest.
    assert m.total("vouchflow_llm_cost_micro_usd_total", **inv) > 0
    assert m.total("vouchflow_effects_total", status="done", **inv) >= 2
    assert m.total(f"{SHADOW_COMPARISONS}_total", agreed="true", **inv) == 1
    assert m.total(f"{SHADOW_COMPARISONS}_total", agreed="false", **inv) == 1


def _shipped_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "vouchflow.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    return exprs


def _check_shipped_expressions(m: Scrape) -> None:
    exported = m.names()
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    exprs = _shipped_expressions()
    assert len(exprs) >= 10
    for expr in exprs:
        names = metric_names(expr)
        assert names, expr
        # Every name is exported by the worker or recorded by the rules from ones that are.
        missing = names - exported - recorded
        assert not missing, f"{expr!r} uses metrics the worker does not export: {missing}"


def test_dashboard_is_grafana_json_with_a_panel_per_metric() -> None:
    dashboard: dict[str, Any] = json.loads((DEPLOY / "grafana" / "vouchflow.json").read_text())
    assert dashboard["uid"] and dashboard["title"]
    used = {n for e in _shipped_expressions() for n in metric_names(e)}
    for metric in (ROUTED, REVIEWS, MODEL_OUTPUTS, ACTIVITY_ATTEMPTS, RUNS_FINISHED):
        assert f"{metric}_total" in used, metric
    assert f"{DECISION_LATENCY}_bucket" in used
    assert f"{SHADOW_COMPARISONS}_total" in used
    assert "vouchflow_effects_total" in used and "vouchflow_llm_cost_micro_usd_total" in used
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["targets"] and panel["datasource"]["uid"] == "${datasource}", panel
