"""Creating a PostgreSQL store's tables once, however many processes open it together.

Each store keeps its tables in a schema of its own and creates them when it is opened.
Workers starting at the same moment would race on the catalog (concurrent
``CREATE ... IF NOT EXISTS`` can still collide), so the DDL runs in one transaction
under an advisory lock: a fixed number per store, the same in every process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.abc import Query


def create_schema(
    url: str,
    schema: str,
    statements: Iterable[Query],
    *,
    lock_id: int,
    tables: Sequence[str] = (),
) -> None:
    """Create `schema` and run `statements` (the store's DDL) in it under `lock_id`.

    With `tables`, nothing runs once they all exist: DDL that cannot run twice
    (triggers), or whose table locks would deadlock with live writers, runs once.
    Without, the statements (all ``IF NOT EXISTS``) run at every open, so a table or
    index added later appears in a schema created before it.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        if tables and _tables_exist(conn, schema, tables):
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
            # Another process may have finished while this one waited for the lock.
            if tables and _tables_exist(conn, schema, tables):
                return
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            for statement in statements:
                conn.execute(statement)


def _tables_exist(conn: psycopg.Connection[Any], schema: str, tables: Sequence[str]) -> bool:
    # A query of the catalog itself, not to_regclass(): name lookups go through the
    # backend's cache, which after waiting on the advisory lock can still say "absent"
    # for the tables another process has just created.
    row = conn.execute(
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
        (schema, list(tables)),
    ).fetchone()
    return bool(row and row[0] == len(set(tables)))
