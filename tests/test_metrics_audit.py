"""Metrics read off audit records: plain functions, and the audit activity counting a
record once however often its append is retried."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

from activities.common.audit import AuditActivities
from activities.common.deps import build_deps
from schemas.common.audit import AuditBatch, AuditEntry
from tests.conftest import make_settings
from tests.test_metrics_scrape import free_port, scrape
from vouchflow.observability.audit_metrics import (
    decision_latency,
    handling_of,
    is_override,
    observations_for,
    received_at,
    route_of,
)
from vouchflow.observability.metrics import (
    DECISION_LATENCY,
    MODEL_OUTPUTS,
    REVIEWS,
    ROUTED,
    RUNS_FINISHED,
    SHADOW_COMPARISONS,
    Observation,
)
from vouchflow.runtime.client import metrics_runtime

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
INVOICE = "InvoiceWorkflow"


def observe(type_: str, payload: dict[str, Any], **kwargs: Any) -> list[Observation]:
    return observations_for(type_, payload, workflow_type=INVOICE, created_at=T0, **kwargs)


def test_routes_are_automatic_person_or_refused() -> None:
    assert route_of({"route": "auto_draft"}) == "auto_draft"
    assert route_of({"route": {"route": "escalation", "queue": "billing"}}) == "escalation"
    assert route_of({}) == "unknown"
    assert handling_of("auto_draft") == "automatic"
    assert handling_of("escalation") == "automatic"
    assert handling_of("review") == "person"
    assert handling_of("flag") == handling_of("reject_input") == "refused"


def test_first_routing_decision_counts_and_measures_time_to_decision() -> None:
    started = {"event": {"received_at": (T0 - dt.timedelta(seconds=2.5)).isoformat()}}
    obs = observe(
        "decision.routed", {"route": "review", "stage": "suggest"}, started_payload=lambda: started
    )
    assert obs[0].name == ROUTED
    assert obs[0].attributes == {
        "workflow_type": INVOICE,
        "route": "review",
        "handling": "person",
        "stage": "suggest",
    }
    assert (obs[1].name, obs[1].kind, obs[1].value) == (DECISION_LATENCY, "histogram", 2.5)
    # The route after a review is a person's, not the machine's: neither counted nor timed.
    assert observe("decision.routed", {"step": "final", "route": {"route": "category"}}) == []


def test_time_to_decision_needs_a_sane_arrival_time() -> None:
    assert received_at({"event": {"created_at": "2026-03-01T08:59:59Z"}}) == T0 - dt.timedelta(
        seconds=1
    )
    assert received_at({"event": {"received_at": "2026-03-01T08:59:59"}}) == T0 - dt.timedelta(
        seconds=1
    )  # naive means UTC
    assert received_at({"event": {"received_at": "yesterday"}}) is None
    assert received_at({}) is None
    assert decision_latency(None, T0) is None
    assert decision_latency(T0 + dt.timedelta(seconds=1), T0) is None  # clocks disagree
    # Without a start record the decision still counts, untimed.
    obs = observe("decision.routed", {"route": "auto_draft"})
    assert [o.name for o in obs] == [ROUTED]


def test_overrides_are_changes_to_the_model_answer() -> None:
    assert is_override("decision.approved", {"corrections": {"invoice_number": "X"}})
    assert not is_override("decision.approved", {"corrections": None})
    assert not is_override("decision.rejected", {"reason": "duplicate"})
    assert is_override("decision.corrected", {"details": ["urgency: low -> high"]})
    assert not is_override("decision.corrected", {"details": []})  # same values: a confirm
    assert not is_override("decision.confirmed", {"details": []})
    [approved] = observe("decision.approved", {"corrections": {"total_minor": 100}})
    assert approved.name == REVIEWS
    assert approved.attributes == {
        "workflow_type": INVOICE,
        "decision": "approved",
        "overridden": "true",
    }
    # Refusals and other decision records are not reviews.
    assert observe("decision.refused", {"kind": "approve"}) == []
    assert observe("decision.flagged", {"reason": "x"}) == []


def test_every_model_attempt_counts_valid_or_not() -> None:
    payload = {
        "provider": "openai:gpt-5-mini",
        "attempts": [
            {"attempt": 1, "provider": "openai", "ok": False, "errors": ["issue_date"]},
            {"attempt": 2, "provider": "openai", "ok": True},
        ],
    }
    obs = observe("classification.completed", payload)
    assert [(o.name, o.attributes["valid"]) for o in obs] == [
        (MODEL_OUTPUTS, "false"),
        (MODEL_OUTPUTS, "true"),
    ]
    # The rules extractor makes no model attempt: nothing to count.
    assert observe("extraction.completed", {"provider": "rules", "attempts": []}) == []


def test_endings_and_shadow_comparisons() -> None:
    [ended] = observe("workflow.finished", {"status": "needs_attention", "reason": "x"})
    assert (ended.name, ended.attributes["status"]) == (RUNS_FINISHED, "needs_attention")
    [shadow] = observe("shadow.compared", {"candidate": "triage@4", "agreed": False})
    assert shadow.name == SHADOW_COMPARISONS
    assert shadow.attributes == {
        "workflow_type": INVOICE,
        "candidate": "triage@4",
        "agreed": "false",
    }
    assert observe("effect.intent", {"effect": "post_draft_bill"}) == []
    # A shadow child reports under the workflow it runs beside.
    [child] = observations_for(
        "shadow.compared",
        {"candidate": "openai:gpt-5@invoice_extraction@3", "agreed": True},
        workflow_type="TriageShadowWorkflow",
        created_at=T0,
    )
    assert child.attributes["workflow_type"] == "TriageWorkflow"
    assert child.attributes["agreed"] == "true"


def _entry(n: int, type_: str, payload: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        workflow_id="wf-metrics",
        run_id="run-1",
        type=type_,
        payload=payload,
        idempotency_key=f"wf-metrics:run-1:{n}:{type_}",
    )


@pytest.mark.asyncio
async def test_a_retried_append_is_counted_once(tmp_path: Path) -> None:
    bind = f"127.0.0.1:{free_port()}"
    runtime = metrics_runtime(bind)  # kept: the endpoint lives as long as the runtime
    env = ActivityEnvironment()
    env.metric_meter = runtime.metric_meter
    env.info = dataclasses.replace(env.info, workflow_type=INVOICE)
    audit = AuditActivities(build_deps(make_settings(tmp_path / "home")))
    received = dt.datetime.now(dt.UTC).isoformat()
    batch = AuditBatch(
        entries=[
            _entry(1, "workflow.started", {"event": {"received_at": received}}),
            _entry(2, "decision.routed", {"route": "auto_draft"}),
            _entry(3, "workflow.finished", {"status": "completed", "reason": ""}),
        ]
    )
    await env.run(audit.append_audit_batch, batch)
    await env.run(audit.append_audit_batch, batch)  # the retry after a lost reply
    await env.run(audit.append_audit, batch.entries[2])
    metrics = await scrape(bind)
    assert metrics.total("vouchflow_routed_total", workflow_type=INVOICE, handling="automatic") == 1
    assert metrics.total("vouchflow_runs_finished_total", status="completed") == 1
    assert metrics.total(f"{DECISION_LATENCY}_count", workflow_type=INVOICE) == 1
    # Appended once, whatever the metrics did.
    assert len(audit._deps.audit.trail("wf-metrics")) == 3
