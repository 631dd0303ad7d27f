"""The customer store and the triage store, on SQLite and (with
VOUCHFLOW_TEST_POSTGRES_URL) on PostgreSQL, through the same tests."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemas.triage.activities import StoreDecisionInput
from schemas.triage.classification import TicketClassification
from schemas.triage.decisions import CorrectionRecord
from schemas.triage.events import CustomerV1, Money
from schemas.triage.state import RouteDecision
from vouchflow.triage.customers import (
    PostgresCustomerStore,
    SqliteCustomerStore,
    sample_customers,
)
from vouchflow.triage.store import TriageStore

PG_URL = os.environ.get("VOUCHFLOW_TEST_POSTGRES_URL", "")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
BACKENDS = ["sqlite", "postgres"]


def _pg_schema() -> str:
    return f"test_triage_{uuid.uuid4().hex[:10]}"


def _drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _need_pg(backend: str) -> None:
    if backend == "postgres" and not PG_URL:
        pytest.fail("VOUCHFLOW_TEST_POSTGRES_URL is not set (PostgreSQL tests need it)")


@pytest.fixture(params=BACKENDS)
def customers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    _need_pg(request.param)
    if request.param == "sqlite":
        store = SqliteCustomerStore(tmp_path / "customers.sqlite3")
        yield store
        store.close()
        return
    schema = _pg_schema()
    pg = PostgresCustomerStore(PG_URL, schema=schema)
    pg.upsert(sample_customers())
    try:
        yield pg
    finally:
        _drop(schema)


@pytest.fixture(params=BACKENDS)
def triage_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TriageStore]:
    _need_pg(request.param)
    if request.param == "sqlite":
        store = TriageStore(sqlite_path=tmp_path / "triage.sqlite3")
        yield store
        store.close()
        return
    schema = _pg_schema()
    try:
        yield TriageStore(postgres_url=PG_URL, schema=schema)
    finally:
        _drop(schema)


def customer(cid: str, plan: str = "pro", amount: int = 1_188_000, cur: str = "EUR") -> CustomerV1:
    return CustomerV1(
        id=cid, plan=plan, arr=Money(amount_minor=amount, currency=cur), region="eu-west"
    )


def test_a_known_customer_comes_with_plan_arr_and_recent_history(customers: Any) -> None:
    context = customers.context(customer("cust-2001", plan="pro"), history_limit=5)
    assert context.known and context.source == "store" and context.plan == "enterprise"
    assert context.arr == Money(amount_minor=48_000_000, currency="USD")
    assert [t.id for t in context.recent_tickets] == ["T-8577", "T-8120"]  # newest first
    assert [i.status for i in context.invoices] == ["open", "paid"]
    assert any("plan" in note for note in context.notes)  # the event said "pro"


def test_history_is_limited_per_kind(customers: Any) -> None:
    context = customers.context(customer("cust-2001"), history_limit=1)
    assert len(context.recent_tickets) == 1 and len(context.invoices) == 1
    assert context.invoices[0].id == "INV-2026-1201"


def test_failed_charges_and_overdue_invoices_are_counted(customers: Any) -> None:
    context = customers.context(
        customer("cust-3001", plan="starter", amount=29_900, cur="GBP"), history_limit=5
    )
    assert context.failed_charges == 1 and context.overdue_invoices == 1
    assert context.notes == ["the event says region 'eu-west'; the store says 'uk'"]


def test_an_unknown_customer_keeps_the_events_values(customers: Any) -> None:
    context = customers.context(customer("cust-none", plan="enterprise"), history_limit=5)
    assert not context.known and context.source == "event" and context.plan == "enterprise"
    assert context.recent_tickets == [] and context.notes


def test_large_arr_fits_64_bits(customers: Any) -> None:
    customers.upsert(
        [
            {
                "id": "cust-big",
                "plan": "enterprise",
                "arr": {"amount_minor": 2**63 - 1, "currency": "JPY"},
                "region": "jp",
            }
        ]
    )
    context = customers.context(customer("cust-big"), history_limit=5)
    assert context.arr.amount_minor == 2**63 - 1


def decision(wid: str, step: str, queue: str, route: str = "category") -> StoreDecisionInput:
    return StoreDecisionInput(
        workflow_id=wid,
        ticket_id="T-1",
        customer_id="c-1",
        step=step,
        route=RouteDecision(route=route, queue=queue, reasons=["r"]),
        classification=TicketClassification(
            category="billing", urgency="low", confidence=0.5, reason="r"
        ),
        classifier="rules",
        idempotency_key=f"{wid}:decision:{step}",
    )


def test_a_retried_decision_is_stored_once(triage_store: TriageStore) -> None:
    first = triage_store.store_decision(decision("wf-1", "initial", "support-billing"), now=NOW)
    again = triage_store.store_decision(decision("wf-1", "initial", "support-billing"), now=NOW)
    assert first.created and not again.created
    assert len(triage_store.decisions("wf-1")) == 1
    assert [i["workflow_id"] for i in triage_store.queue("support-billing")] == ["wf-1"]


def test_a_late_retry_of_the_first_step_never_undoes_the_review(
    triage_store: TriageStore,
) -> None:
    triage_store.store_decision(decision("wf-2", "initial", "triage-review", "review"), now=NOW)
    triage_store.store_decision(decision("wf-2", "final", "billing-escalations"), now=NOW)
    # The first step's activity retried after the final one (a lost acknowledgement).
    triage_store.store_decision(decision("wf-2", "initial", "triage-review", "review"), now=NOW)
    assert triage_store.queue_of("wf-2") == "billing-escalations"
    assert triage_store.queue("triage-review") == []
    assert [d["step"] for d in triage_store.decisions("wf-2")] == ["initial", "final"]


def test_corrections_are_kept_in_structured_form_once(triage_store: TriageStore) -> None:
    original = TicketClassification(category="billing", urgency="low", confidence=0.5, reason="r")
    record = CorrectionRecord(
        workflow_id="wf-3",
        run_id="run-1",
        ticket_id="T-3",
        original=original,
        corrected=original.model_copy(update={"urgency": "high", "confidence": 1.0}),
        reason="double charge",
        reviewer="bob",
        proof="token:bob/abc",
        channel="cli",
        at=NOW,
        classifier="rules",
        idempotency_key="wf-3:correction",
    )
    assert triage_store.record_correction(record)
    assert not triage_store.record_correction(record)
    assert triage_store.corrections() == [record]


def test_escalations_are_found_by_label(triage_store: TriageStore) -> None:
    assert triage_store.escalations("lbl", "jira") == []
    for _ in range(2):
        triage_store.record_escalation(
            label="lbl",
            destination="jira",
            workflow_id="wf-4",
            issue_key="SUP-1",
            issue_id="10001",
            queue="q",
            summary="s",
            now=NOW,
        )
    assert triage_store.escalations("lbl", "jira") == [("SUP-1", "10001")]
    assert triage_store.escalations("lbl", "local") == []
