"""PostgreSQL audit store (psycopg 3).

Appenders serialise on the chain-head row (`SELECT ... FOR UPDATE`), so seq is
gapless and each prev_hash is the true predecessor even with many workers. A
trigger refuses UPDATE, DELETE and TRUNCATE on the log table. Tables live in a
schema of their own (default `vouchflow_audit`), which tests vary per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from schemas.common.audit import AuditEntry, AuditRecord, AuditVerification
from vouchflow.stores.audit import (
    build_record,
    prepare_payload,
    record_from_row,
    records_from_rows,
    verify_chain,
)
from vouchflow.stores.canonical import GENESIS_HASH, canonical_json
from vouchflow.stores.postgres_schema import create_schema

DEFAULT_SCHEMA = "vouchflow_audit"
# Any fixed number: it only has to be the same in every process creating the schema.
_DDL_LOCK_ID = 0x766F7563686C6F67

_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_workflow ON {schema}.audit_log (workflow_id, seq);
CREATE TABLE IF NOT EXISTS {schema}.audit_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO {schema}.audit_chain_head (id, seq, hash) VALUES (1, 0, {genesis})
    ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION {schema}.audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON {schema}.audit_log
    FOR EACH ROW EXECUTE FUNCTION {schema}.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {schema}.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_log_append_only();
"""

_COLUMNS = "seq, workflow_id, run_id, type, payload, created_at, idempotency_key, prev_hash, hash"


class PostgresAuditStore:
    def __init__(self, dsn: str, *, schema: str = DEFAULT_SCHEMA) -> None:
        self.dsn = dsn
        self.schema = schema
        self._log = sql.SQL("{}.audit_log").format(sql.Identifier(schema))
        self._head = sql.SQL("{}.audit_chain_head").format(sql.Identifier(schema))
        ddl = sql.SQL(_DDL).format(schema=sql.Identifier(schema), genesis=sql.Literal(GENESIS_HASH))
        # Once: re-running the DDL would take table locks that deadlock with live appenders.
        create_schema(
            dsn, schema, [ddl], lock_id=_DDL_LOCK_ID, tables=("audit_log", "audit_chain_head")
        )

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            yield conn

    def _q(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(log=self._log, head=self._head, columns=sql.SQL(_COLUMNS))

    def append(self, entry: AuditEntry, *, now: dt.datetime) -> AuditRecord:
        payload = prepare_payload(entry.payload)
        with self._connect() as conn, conn.transaction():
            head = conn.execute(self._q("SELECT seq, hash FROM {head} WHERE id = 1 FOR UPDATE"))
            head_seq, head_hash = head.fetchone() or (0, GENESIS_HASH)
            # Checked under the head lock, so a concurrent retry cannot slip in between.
            existing = conn.execute(
                self._q("SELECT {columns} FROM {log} WHERE idempotency_key = %s"),
                (entry.idempotency_key,),
            ).fetchone()
            if existing is not None:
                return record_from_row(existing)
            record = build_record(
                entry,
                seq=int(head_seq) + 1,
                prev_hash=str(head_hash),
                payload=payload,
                created_at=now,
            )
            conn.execute(
                self._q(
                    "INSERT INTO {log} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                ),
                (
                    record.seq,
                    record.workflow_id,
                    record.run_id,
                    record.type,
                    canonical_json(record.payload),
                    record.created_at.isoformat(),
                    record.idempotency_key,
                    record.prev_hash,
                    record.hash,
                ),
            )
            conn.execute(
                self._q("UPDATE {head} SET seq = %s, hash = %s WHERE id = 1"),
                (record.seq, record.hash),
            )
        return record

    def trail(self, workflow_id: str) -> list[AuditRecord]:
        with self._connect() as conn:
            rows = conn.execute(
                self._q("SELECT {columns} FROM {log} WHERE workflow_id = %s ORDER BY seq"),
                (workflow_id,),
            ).fetchall()
        return records_from_rows(rows)

    def all_records(self) -> list[AuditRecord]:
        with self._connect() as conn:
            rows = conn.execute(self._q("SELECT {columns} FROM {log} ORDER BY seq")).fetchall()
        return records_from_rows(rows)

    def verify(self) -> AuditVerification:
        with self._connect() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                rows = conn.execute(self._q("SELECT {columns} FROM {log} ORDER BY id")).fetchall()
                head = conn.execute(self._q("SELECT seq, hash FROM {head} WHERE id = 1")).fetchone()
            finally:
                conn.execute("COMMIT")
        head_seq = int(head[0]) if head and head[0] is not None else None
        head_hash = str(head[1]) if head and head[1] is not None else None
        return verify_chain(rows, head_seq=head_seq, head_hash=head_hash)
