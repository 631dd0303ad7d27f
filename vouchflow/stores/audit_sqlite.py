"""SQLite audit store: one file, safe for several processes.

WAL lets readers work while one writer appends; BEGIN IMMEDIATE takes the write
lock before the chain head is read, so two appenders can never pick the same
seq; busy_timeout makes the loser wait instead of failing. Triggers make the
log table refuse UPDATE and DELETE.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from schemas.common.audit import AuditEntry, AuditRecord, AuditVerification
from vouchflow.stores.audit import (
    build_record,
    prepare_payload,
    record_from_row,
    records_from_rows,
    verify_chain,
)
from vouchflow.stores.canonical import GENESIS_HASH, canonical_json, utc_iso
from vouchflow.stores.sqlite_wal import ensure_wal

BUSY_TIMEOUT_MS = 30_000

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seq INTEGER NOT NULL UNIQUE,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_workflow ON audit_log (workflow_id, seq);
CREATE TABLE IF NOT EXISTS audit_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT OR IGNORE INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}');
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""

_COLUMNS = "seq, workflow_id, run_id, type, payload, created_at, idempotency_key, prev_hash, hash"


class SqliteAuditStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        with self._connect() as conn:
            ensure_wal(conn)
            conn.executescript("BEGIN IMMEDIATE;\n" + _SCHEMA + "\nCOMMIT;")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection to the log, opened once. Opening and closing one per
        append cost more than the append itself (closing the last connection of a WAL
        file checkpoints it); a connection is never shared between threads, and every
        write is still its own IMMEDIATE transaction, so other processes stay safe."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        yield conn

    def close(self) -> None:
        """Close every thread's connection (tests, shutdown)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def append(self, entry: AuditEntry, *, now: dt.datetime) -> AuditRecord:
        payload = prepare_payload(entry.payload)
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                existing = conn.execute(
                    f"SELECT {_COLUMNS} FROM audit_log WHERE idempotency_key = ?",
                    (entry.idempotency_key,),
                ).fetchone()
                if existing is not None:
                    conn.execute("ROLLBACK")
                    return record_from_row(existing)
                head_seq, head_hash = conn.execute(
                    "SELECT seq, hash FROM audit_chain_head WHERE id = 1"
                ).fetchone()
                record = build_record(
                    entry,
                    seq=head_seq + 1,
                    prev_hash=head_hash,
                    payload=payload,
                    created_at=now,
                )
                conn.execute(
                    f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.seq,
                        record.workflow_id,
                        record.run_id,
                        record.type,
                        canonical_json(record.payload),
                        utc_iso(record.created_at),
                        record.idempotency_key,
                        record.prev_hash,
                        record.hash,
                    ),
                )
                conn.execute(
                    "UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1",
                    (record.seq, record.hash),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return record

    def trail(self, workflow_id: str) -> list[AuditRecord]:
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM audit_log WHERE workflow_id = ? ORDER BY seq",
                (workflow_id,),
            ).fetchall()
        return records_from_rows(rows)

    def all_records(self) -> list[AuditRecord]:
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq").fetchall()
        return records_from_rows(rows)

    def verify(self) -> AuditVerification:
        with self._connect() as conn:
            # One read transaction: the rows and the head come from the same snapshot.
            conn.execute("BEGIN")
            rows = conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY id").fetchall()
            head = conn.execute("SELECT seq, hash FROM audit_chain_head WHERE id = 1").fetchone()
            conn.execute("COMMIT")
        head_seq, head_hash = _head(head)
        return verify_chain(rows, head_seq=head_seq, head_hash=head_hash)


def _head(row: tuple[object, ...] | None) -> tuple[int | None, str | None]:
    """The recorded chain head; a damaged head row only disables the checks it feeds."""
    if row is None:
        return None, None
    seq, digest = row
    return (
        seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        digest if isinstance(digest, str) else None,
    )
