"""SQLite template store: one file, safe for several processes (WAL, BEGIN IMMEDIATE so
two writers never pick the same version; triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from vouchflow.stores.sqlite_wal import ensure_wal
from vouchflow.stores.templates import COLUMNS
from vouchflow.stores.templates_sql import Run, SqlTemplateStore

BUSY_TIMEOUT_MS = 30_000
TABLE = "supplier_templates"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS supplier_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
CREATE TRIGGER IF NOT EXISTS supplier_templates_no_update BEFORE UPDATE ON supplier_templates
BEGIN SELECT RAISE(ABORT, 'supplier_templates is append-only'); END;
CREATE TRIGGER IF NOT EXISTS supplier_templates_no_delete BEFORE DELETE ON supplier_templates
BEGIN SELECT RAISE(ABORT, 'supplier_templates is append-only'); END;
"""


class SqliteTemplateStore(SqlTemplateStore):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as conn:
            ensure_wal(conn)
            conn.executescript("BEGIN IMMEDIATE;\n" + _SCHEMA + "\nCOMMIT;")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._local.conn = conn
        yield conn

    @contextmanager
    def _writing(self, template_id: str) -> Iterator[Run]:
        # BEGIN IMMEDIATE takes the write lock up front: two writers never read the same
        # highest version.
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._runner(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _reading(self) -> Iterator[Run]:
        with self._connect() as conn:
            yield self._runner(conn)

    @staticmethod
    def _runner(conn: sqlite3.Connection) -> Run:
        def run(query: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
            return conn.execute(query.format(table=TABLE, columns=COLUMNS, p="?"), params)

        return run
