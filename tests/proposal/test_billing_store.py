"""The local billing store on SQLite and (VOUCHFLOW_TEST_POSTGRES_URL) PostgreSQL,
through the same tests: the account, the preview, one change per proposal even when
two workers race for it, the ledger a remote billing system uses."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.proposal.billing import ExecutionReceipt, TierChange
from vouchflow.stores.billing import BillingStore, DuplicateProposal, TierChanged

PG_URL = os.environ.get("VOUCHFLOW_TEST_POSTGRES_URL", "")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BillingStore]:
    if request.param == "sqlite":
        from vouchflow.stores.billing_sqlite import SqliteBillingStore

        sqlite = SqliteBillingStore(tmp_path / "billing.sqlite3")
        yield sqlite
        sqlite.close()
        return
    if not PG_URL:
        pytest.fail("VOUCHFLOW_TEST_POSTGRES_URL is not set (PostgreSQL tests need it)")
    import psycopg

    from vouchflow.stores.billing_postgres import PostgresBillingStore

    schema = f"test_billing_{uuid.uuid4().hex[:10]}"
    yield PostgresBillingStore(PG_URL, schema=schema)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def change(workflow_id: str = "wf-1", **fields: object) -> TierChange:
    values: dict[str, object] = {
        "workflow_id": workflow_id,
        "proposal_id": "p-ember-basic",
        "customer_id": "cus_ember",
        "subscription_ref": "si_ember",
        "from_tier": "standard",
        "to_tier": "basic",
        "proration_date": NOW,
        "idempotency_key": f"{workflow_id}:tier-change",
        **fields,
    }
    return TierChange.model_validate(values)


def test_account_preview_and_one_change(store: BillingStore) -> None:
    account = store.account("cus_delta", "p-1", NOW)
    assert (account.tier, account.unpaid_invoices, account.unpaid_minor) == ("premium", 1, 29900)
    assert not store.account("cus_nobody", "p-1", NOW).found
    ember = store.account("cus_ember", "p-1", NOW)
    assert ember.period_end == dt.datetime(2026, 12, 15, tzinfo=dt.UTC)

    dry_run = store.preview(change())
    # 24 days 14 hours of a 30-day period left, of a 70.00 drop: a credit of 57.36.
    assert dry_run.proration_minor == -5736
    assert dry_run.next_invoice_total_minor == 2900 - 5736
    receipt = store.execute(change())
    assert receipt.created and receipt.proration_minor == dry_run.proration_minor
    assert store.tier_of("cus_ember") == "basic"
    assert not store.execute(change()).created  # the same workflow again: found, not redone
    with pytest.raises(DuplicateProposal):
        store.execute(change("wf-2"))
    with pytest.raises(TierChanged):
        store.execute(change("wf-3", proposal_id="p-other"))  # validated on standard
    assert store.account("cus_ember", "p-ember-basic", NOW).executed_by == "wf-1"
    assert len(store.ledger()) == 1 and len(store.invoice_items("cus_ember")) == 1


def test_racing_workers_apply_a_proposal_once(store: BillingStore) -> None:
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def run(n: int) -> None:
        barrier.wait()
        try:
            store.execute(change(f"wf-{n}"))
            outcomes.append("changed")
        except DuplicateProposal:
            outcomes.append("duplicate")
        except Exception as err:  # reported by the assertion below
            outcomes.append(repr(err))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["changed", "duplicate", "duplicate", "duplicate"]
    assert len(store.invoice_items("cus_ember")) == 1


def test_the_ledger_claims_a_proposal_for_a_remote_system(store: BillingStore) -> None:
    remote = change(customer_id="cus_remote", subscription_ref="si_remote")
    assert store.claim(remote, "stripe") is None
    assert store.claim(remote, "stripe") is None  # the same workflow retrying
    with pytest.raises(DuplicateProposal):
        store.claim(change("wf-2"), "stripe")
    receipt = ExecutionReceipt(
        system="stripe", ref="si_remote", created=True, new_price_minor=2900, proration_minor=-5
    )
    store.settle(remote, receipt)
    again = store.claim(remote, "stripe")
    assert again is not None and not again.created and again.ref == "si_remote"
