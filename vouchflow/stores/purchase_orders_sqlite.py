"""SQLite purchase-order store: one file, WAL, one connection per store guarded by a lock
(activities call it from a thread pool)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vouchflow.stores.purchase_orders import DDL, SqlPurchaseOrders, load_sample_data
from vouchflow.stores.sqlite_wal import ensure_wal


class SqlitePurchaseOrderStore(SqlPurchaseOrders):
    def __init__(self, path: Path, *, seed_samples: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout=30000")
        ensure_wal(self._db)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for ddl in DDL:
                    self._db.execute(self._q(ddl))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            empty = self._db.execute("SELECT COUNT(*) FROM purchase_orders").fetchone()[0] == 0
        if empty and seed_samples:
            load_sample_data(self)

    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, tuple(params)).fetchall())

    def _write(self, statements: list[tuple[str, Sequence[Any]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, tuple(params))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self._db.close()
