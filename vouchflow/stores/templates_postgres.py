"""PostgreSQL template store (psycopg 3). Writers of one template serialise on an
advisory lock keyed by the template id, so versions are gapless; a trigger refuses
UPDATE, DELETE and TRUNCATE. Tables live in a schema of their own (default
`vouchflow_templates`), which tests vary per run."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from vouchflow.invoice.templates.models import SupplierTemplate
from vouchflow.stores.templates import (
    COLUMNS,
    TemplateAction,
    TemplateVersion,
    new_row,
    version_from_row,
)

DEFAULT_SCHEMA = "vouchflow_templates"
_DDL_LOCK_ID = 0x766F7563687470

_DDL = """
CREATE SCHEMA IF NOT EXISTS {schema};
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


class PostgresTemplateStore:
    def __init__(self, dsn: str, *, schema: str = DEFAULT_SCHEMA) -> None:
        self.dsn = dsn
        self.schema = schema
        self._table = sql.SQL("{}.supplier_templates").format(sql.Identifier(schema))
        ddl = sql.SQL(_DDL).format(schema=sql.Identifier(schema))
        with self._connect() as conn:
            if self._ready(conn):
                return
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_DDL_LOCK_ID,))
                if not self._ready(conn):
                    conn.execute(ddl)

    def _ready(self, conn: psycopg.Connection[Any]) -> bool:
        row = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f'"{self.schema}".supplier_templates',)
        ).fetchone()
        return bool(row and row[0])

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            yield conn

    def _q(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(table=self._table, columns=sql.SQL(COLUMNS))

    def append(
        self,
        *,
        template_id: str,
        action: TemplateAction,
        supplier_name: str,
        template: SupplierTemplate | None,
        actor: str,
        idempotency_key: str,
        now: dt.datetime,
        workflow_id: str | None = None,
        document_sha256: str | None = None,
        reason: str = "",
    ) -> TemplateVersion:
        with self._connect() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(template_id.encode()),))
            existing = conn.execute(
                self._q("SELECT {columns} FROM {table} WHERE idempotency_key = %s"),
                (idempotency_key,),
            ).fetchone()
            if existing is not None:
                return version_from_row(tuple(existing))
            row = conn.execute(
                self._q("SELECT MAX(version) FROM {table} WHERE template_id = %s"), (template_id,)
            ).fetchone()
            version = int((row[0] if row else None) or 0) + 1
            values = new_row(
                template_id=template_id,
                version=version,
                action=action,
                supplier_name=supplier_name,
                template=template,
                actor=actor,
                idempotency_key=idempotency_key,
                now=now,
                workflow_id=workflow_id,
                document_sha256=document_sha256,
                reason=reason,
            )
            conn.execute(
                self._q(
                    "INSERT INTO {table} ({columns})"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                ),
                values,
            )
        return version_from_row(values)

    def versions(self, template_id: str) -> list[TemplateVersion]:
        with self._connect() as conn:
            rows = conn.execute(
                self._q("SELECT {columns} FROM {table} WHERE template_id = %s ORDER BY version"),
                (template_id,),
            ).fetchall()
        return [version_from_row(tuple(r)) for r in rows]

    def latest_all(self) -> list[TemplateVersion]:
        with self._connect() as conn:
            rows = conn.execute(
                self._q(
                    "SELECT {columns} FROM {table} t WHERE version = (SELECT MAX(version)"
                    " FROM {table} WHERE template_id = t.template_id)"
                    " ORDER BY supplier_name, template_id"
                )
            ).fetchall()
        return [version_from_row(tuple(r)) for r in rows]
