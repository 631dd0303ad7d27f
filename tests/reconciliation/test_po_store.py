"""The purchase-order store, SQLite and PostgreSQL alike: samples, keys, queries, the
invoiced register. PostgreSQL: VOUCHFLOW_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test); each test gets its own schema, dropped after."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from vouchflow.stores.purchase_orders import (
    PurchaseOrderStore,
    load_sample_data,
    open_purchase_order_store,
    purchase_orders_url,
)
from vouchflow.stores.purchase_orders_postgres import PostgresPurchaseOrderStore
from vouchflow.stores.purchase_orders_sqlite import SqlitePurchaseOrderStore

PG_ENV = "VOUCHFLOW_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PurchaseOrderStore]:
    if request.param == "sqlite":
        sqlite = SqlitePurchaseOrderStore(tmp_path / "po.sqlite3")
        yield sqlite
        sqlite.close()
        return
    dsn = os.environ.get(PG_ENV, PG_DEFAULT)
    schema = f"test_po_{uuid.uuid4().hex[:10]}"
    pg = PostgresPurchaseOrderStore(dsn, schema=schema)
    load_sample_data(pg)
    try:
        yield pg
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_samples_are_there_and_keys_ignore_punctuation(store: PurchaseOrderStore) -> None:
    po = store.purchase_order("po 4500/0142")
    assert po is not None and po.po_number == "PO-4500-0142" and po.total_minor == 48200
    facts = store.facts("PO-NW-7781")
    assert facts is not None and facts.received_minor == 684800 and facts.invoiced_minor == 0
    assert [r.receipt_id for r in store.receipts("PO-NW-7781")] == ["GR-10005", "GR-10006"]


def test_queries_by_supplier_amount_currency_status_and_date(store: PurchaseOrderStore) -> None:
    acme = store.query(supplier_name="ACME OFFICE SUPPLIES LIMITED")
    assert {f.po.po_number for f in acme} == {
        "PO-4500-0142",
        "PO-4500-0150",
        "PO-4500-0160",
        "PO-4500-0101",
    }
    open_acme = store.query(supplier_name="Acme Office Supplies Ltd", statuses=["open"])
    assert {f.po.po_number for f in open_acme} == {"PO-4500-0142", "PO-4500-0160"}
    near = store.query(currency="GBP", min_total_minor=47000, max_total_minor=48500)
    assert {f.po.po_number for f in near} == {"PO-4500-0142", "PO-4500-0101", "PO-BHL-3001"}
    march = store.query(
        supplier_name="Blue Harbour Logistics Ltd",
        issued_from=dt.date(2026, 3, 2),
        issued_to=dt.date(2026, 3, 31),
    )
    assert [f.po.po_number for f in march] == ["PO-BHL-DE-0077"]
    assert len(store.query(currency="GBP", min_total_minor=0, limit=2)) == 2


def test_the_invoiced_register_and_supplier_history(store: PurchaseOrderStore) -> None:
    booked = store.invoices(supplier_name="Acme Office Supplies", invoice_number="acme 2026 0101")
    assert [r.po_number for r in booked] == ["PO-4500-0101"]
    assert store.invoices(supplier_name="Acme Office Supplies", invoice_number="ACME-X") == []
    history = store.supplier_history("Acme Office Supplies Ltd")
    assert (history.known, history.purchase_orders, history.open_purchase_orders) == (True, 4, 3)
    assert history.invoices_booked == 1 and history.last_invoice_on == dt.date(2026, 1, 20)
    assert not store.supplier_history("Nobody Ltd").known


def test_loading_again_updates_instead_of_duplicating(store: PurchaseOrderStore) -> None:
    load_sample_data(store)
    assert len(store.query(supplier_name="Acme Office Supplies Ltd")) == 4
    assert len(store.receipts("PO-NW-7781")) == 2


def test_the_url_picks_the_backend(tmp_path: Path) -> None:
    assert purchase_orders_url({}, {}) is None
    assert purchase_orders_url({"dsn": "postgresql://x"}, {}) == "postgresql://x"
    assert (
        purchase_orders_url({"dsn": "postgresql://x"}, {"VOUCHFLOW_PURCHASE_ORDERS_URL": "y"})
        == "y"
    )
    sqlite = open_purchase_order_store(tmp_path)
    assert isinstance(sqlite, SqlitePurchaseOrderStore)
    assert sqlite.path == tmp_path / "purchase_orders.sqlite3"
    sqlite.close()
