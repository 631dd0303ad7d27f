"""SQLite template store: one file, safe for several processes (WAL, BEGIN IMMEDIATE so
two writers never pick the same version; triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vouchflow.invoice.templates.models import SupplierTemplate
from vouchflow.stores.sqlite_wal import ensure_wal
from vouchflow.stores.templates import (
    COLUMNS,
    TemplateAction,
    TemplateVersion,
    new_row,
    version_from_row,
)

BUSY_TIMEOUT_MS = 30_000

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


class SqliteTemplateStore:
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
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                existing = conn.execute(
                    f"SELECT {COLUMNS} FROM supplier_templates WHERE idempotency_key = ?",
                    (idempotency_key,),
                ).fetchone()
                if existing is not None:
                    conn.execute("ROLLBACK")
                    return version_from_row(existing)
                row = conn.execute(
                    "SELECT MAX(version) FROM supplier_templates WHERE template_id = ?",
                    (template_id,),
                ).fetchone()
                version = int(row[0] or 0) + 1
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
                    f"INSERT INTO supplier_templates ({COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return version_from_row(values)

    def versions(self, template_id: str) -> list[TemplateVersion]:
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM supplier_templates WHERE template_id = ? ORDER BY version",
                (template_id,),
            ).fetchall()
        return [version_from_row(r) for r in rows]

    def latest_all(self) -> list[TemplateVersion]:
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM supplier_templates t WHERE version = ("
                " SELECT MAX(version) FROM supplier_templates WHERE template_id = t.template_id)"
                " ORDER BY supplier_name, template_id"
            ).fetchall()
        return [version_from_row(r) for r in rows]
