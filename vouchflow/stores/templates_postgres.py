"""PostgreSQL template store (psycopg 3). Writers of one template serialise on an
advisory lock keyed by the template id, so versions are gapless; a trigger refuses
UPDATE, DELETE and TRUNCATE. Tables live in a schema of their own (default
`vouchflow_templates`), which tests vary per run."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from vouchflow.stores.postgres_schema import create_schema
from vouchflow.stores.templates import COLUMNS
from vouchflow.stores.templates_sql import Run, SqlTemplateStore

DEFAULT_SCHEMA = "vouchflow_templates"
_DDL_LOCK_ID = 0x766F7563687470

_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.supplier_templates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    template_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('learned', 'updated', 'removed')),
    supplier_name TEXT NOT NULL,
    template TEXT,
    actor TEXT NOT NULL,
    workflow_id TEXT,
    document_sha256 TEXT,
    reason TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (template_id, version)
);
CREATE OR REPLACE FUNCTION {schema}.supplier_templates_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'supplier_templates is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER supplier_templates_no_change BEFORE UPDATE OR DELETE
    ON {schema}.supplier_templates
    FOR EACH ROW EXECUTE FUNCTION {schema}.supplier_templates_append_only();
CREATE TRIGGER supplier_templates_no_truncate BEFORE TRUNCATE ON {schema}.supplier_templates
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.supplier_templates_append_only();
"""


class PostgresTemplateStore(SqlTemplateStore):
    def __init__(self, dsn: str, *, schema: str = DEFAULT_SCHEMA) -> None:
        self.dsn = dsn
        self.schema = schema
        self._table = sql.SQL("{}.supplier_templates").format(sql.Identifier(schema))
        ddl = sql.SQL(_DDL).format(schema=sql.Identifier(schema))
        create_schema(dsn, schema, [ddl], lock_id=_DDL_LOCK_ID, tables=("supplier_templates",))

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            yield conn

    @contextmanager
    def _writing(self, template_id: str) -> Iterator[Run]:
        with self._connect() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(template_id.encode()),))
            yield self._runner(conn)

    @contextmanager
    def _reading(self) -> Iterator[Run]:
        with self._connect() as conn:
            yield self._runner(conn)

    def _runner(self, conn: psycopg.Connection[Any]) -> Run:
        def run(query: str, params: Sequence[object] = ()) -> psycopg.Cursor[Any]:
            composed = sql.SQL(query).format(
                table=self._table, columns=sql.SQL(COLUMNS), p=sql.Placeholder()
            )
            return conn.execute(composed, params)

        return run
