"""The supplier template store on SQLite and PostgreSQL: every learn, update and removal
is a new version row; nothing is overwritten (the database refuses it); a retried write
adds nothing; a removal is a tombstone that keeps the history.

PostgreSQL: VOUCHFLOW_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from vouchflow.invoice.templates.models import SupplierTemplate
from vouchflow.stores.templates import (
    TemplateNotFound,
    TemplateStore,
    live_templates,
    resolve,
)
from vouchflow.stores.templates_sqlite import SqliteTemplateStore

PG_ENV = "VOUCHFLOW_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _postgres(schema: str) -> TemplateStore:
    psycopg = pytest.importorskip("psycopg")
    dsn = os.environ.get(PG_ENV, PG_DEFAULT)
    try:
        psycopg.connect(dsn, connect_timeout=3).close()
    except psycopg.OperationalError as err:
        pytest.skip(f"PostgreSQL not reachable at {dsn}: {err}")
    from vouchflow.stores.templates_postgres import PostgresTemplateStore

    return PostgresTemplateStore(dsn, schema=schema)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TemplateStore]:
    if request.param == "sqlite":
        yield SqliteTemplateStore(tmp_path / "templates.sqlite3")
        return
    schema = f"test_templates_{uuid.uuid4().hex[:10]}"
    pg = _postgres(schema)
    try:
        yield pg
    finally:
        import psycopg

        with psycopg.connect(os.environ.get(PG_ENV, PG_DEFAULT), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def template(name: str = "Coolblue B.V.") -> SupplierTemplate:
    return SupplierTemplate(template_id="tpl-coolblue", supplier_name=name, supplier_key="coolblue")


def test_versions_are_appended_and_never_overwritten(store: TemplateStore) -> None:
    first = store.append(
        template_id="tpl-coolblue",
        action="learned",
        supplier_name="Coolblue B.V.",
        template=template(),
        actor="alice",
        idempotency_key="wf-1:learn",
        now=NOW,
        workflow_id="wf-1",
        document_sha256="a" * 64,
        reason="approved",
    )
    assert first.version == 1 and first.template is not None and first.template.version == 1
    again = store.append(
        template_id="tpl-coolblue",
        action="learned",
        supplier_name="Coolblue B.V.",
        template=template(),
        actor="alice",
        idempotency_key="wf-1:learn",
        now=NOW,
    )
    assert again.version == 1  # a retried activity adds nothing
    second = store.append(
        template_id="tpl-coolblue",
        action="updated",
        supplier_name="Coolblue B.V.",
        template=template(),
        actor="bob",
        idempotency_key="wf-2:learn",
        now=NOW + dt.timedelta(days=1),
        workflow_id="wf-2",
        reason="approved with corrections",
    )
    assert second.version == 2
    history = store.versions("tpl-coolblue")
    assert [(v.version, v.action, v.actor, v.workflow_id) for v in history] == [
        (1, "learned", "alice", "wf-1"),
        (2, "updated", "bob", "wf-2"),
    ]
    assert history[0].document_sha256 == "a" * 64
    assert [t.version for t in live_templates(store)] == [2]
    assert resolve(store, "coolblue bv").template_id == "tpl-coolblue"
    assert resolve(store, "tpl-coolblue").version == 2


def test_removal_is_a_tombstone(store: TemplateStore) -> None:
    store.append(
        template_id="tpl-coolblue",
        action="learned",
        supplier_name="Coolblue B.V.",
        template=template(),
        actor="alice",
        idempotency_key="wf-1:learn",
        now=NOW,
    )
    tomb = store.append(
        template_id="tpl-coolblue",
        action="removed",
        supplier_name="Coolblue B.V.",
        template=None,
        actor="carol",
        idempotency_key="remove-1",
        now=NOW,
        reason="supplier changed its invoicing system",
    )
    assert tomb.version == 2 and not tomb.live
    assert live_templates(store) == []
    assert [v.action for v in store.versions("tpl-coolblue")] == ["learned", "removed"]
    with pytest.raises(TemplateNotFound):
        resolve(store, "nobody")


def test_sqlite_refuses_update_and_delete(tmp_path: Path) -> None:
    store = SqliteTemplateStore(tmp_path / "t.sqlite3")
    store.append(
        template_id="tpl-x",
        action="learned",
        supplier_name="X",
        template=template("X"),
        actor="alice",
        idempotency_key="k",
        now=NOW,
    )
    conn = sqlite3.connect(tmp_path / "t.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE supplier_templates SET actor = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM supplier_templates")
