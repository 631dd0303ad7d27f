"""Creating a PostgreSQL store's tables (vouchflow/stores/postgres_schema.py) against the
server in VOUCHFLOW_TEST_POSTGRES_URL: many processes opening at once, DDL that may run
only once, DDL added after the schema was first created."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from psycopg import sql

from vouchflow.stores.audit_postgres import PostgresAuditStore
from vouchflow.stores.postgres_schema import create_schema
from vouchflow.stores.purchase_orders_postgres import PostgresPurchaseOrderStore
from vouchflow.stores.templates_postgres import PostgresTemplateStore

PG_URL = os.environ.get("VOUCHFLOW_TEST_POSTGRES_URL", "")
LOCK_ID = 0x7465737473636D61
OPENERS: dict[str, Callable[..., object]] = {
    "audit": PostgresAuditStore,
    "templates": PostgresTemplateStore,
    "purchase_orders": PostgresPurchaseOrderStore,
}
EXPECTED = {
    "audit": {"audit_log", "audit_chain_head"},
    "templates": {"supplier_templates"},
    "purchase_orders": {"purchase_orders", "goods_receipts", "po_invoices"},
}


@pytest.fixture
def schema() -> Iterator[str]:
    if not PG_URL:
        pytest.fail("VOUCHFLOW_TEST_POSTGRES_URL is not set (PostgreSQL tests need it)")
    name = f"test_schema_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _ddl(schema: str, template: str) -> sql.Composed:
    return sql.SQL(template).format(schema=sql.Identifier(schema))


def _tables(schema: str) -> set[str]:
    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    return {str(row[0]) for row in rows}


# A trigger cannot be created twice: running this again on a ready schema would fail.
_ONCE = """
CREATE TABLE {schema}.ledger (id INTEGER PRIMARY KEY);
CREATE FUNCTION {schema}.ledger_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'frozen'; END; $$;
CREATE TRIGGER ledger_frozen BEFORE DELETE ON {schema}.ledger
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_frozen();
"""


def test_ddl_listed_with_its_tables_runs_once(schema: str) -> None:
    for _ in range(3):
        create_schema(PG_URL, schema, [_ddl(schema, _ONCE)], lock_id=LOCK_ID, tables=("ledger",))
    assert _tables(schema) == {"ledger"}
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(_ddl(schema, "INSERT INTO {schema}.ledger VALUES (1)"))
        with pytest.raises(psycopg.errors.RaiseException, match="frozen"):
            conn.execute(_ddl(schema, "DELETE FROM {schema}.ledger"))


def test_without_tables_the_ddl_runs_at_every_open_so_later_tables_appear(schema: str) -> None:
    first = [_ddl(schema, "CREATE TABLE IF NOT EXISTS {schema}.orders (id INTEGER)")]
    create_schema(PG_URL, schema, first, lock_id=LOCK_ID)
    later = [*first, _ddl(schema, "CREATE TABLE IF NOT EXISTS {schema}.lines (id INTEGER)")]
    create_schema(PG_URL, schema, later, lock_id=LOCK_ID)
    assert _tables(schema) == {"orders", "lines"}


def test_a_partly_created_schema_is_completed(schema: str) -> None:
    create_schema(
        PG_URL, schema, [_ddl(schema, "CREATE TABLE {schema}.a (id INTEGER)")], lock_id=LOCK_ID
    )
    rest = [_ddl(schema, "CREATE TABLE IF NOT EXISTS {schema}.b (id INTEGER)")]
    create_schema(PG_URL, schema, rest, lock_id=LOCK_ID, tables=("a", "b"))
    assert _tables(schema) == {"a", "b"}


# Each process re-checks under the lock; the one-time DDL (triggers) must not run twice.
@pytest.mark.parametrize("store", ["audit", "templates", "purchase_orders"])
def test_stores_opened_at_once_create_their_schema_without_colliding(
    schema: str, store: str
) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_store() -> None:
        start.wait()
        try:
            OPENERS[store](PG_URL, schema=schema)
        except BaseException as err:  # collected: the assertion below names it
            errors.append(err)

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert EXPECTED[store] <= _tables(schema)
