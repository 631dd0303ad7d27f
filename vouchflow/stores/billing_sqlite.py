"""The local billing store on SQLite (the embedded default): one file, WAL, and
`BEGIN IMMEDIATE` transactions so two workers never interleave a change."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vouchflow.stores.billing import BillingStore, Cursor, Dialect, iter_ddl, sample_billing
from vouchflow.stores.sqlite_wal import ensure_wal


class _SqliteCursor:
    def __init__(self, cur: sqlite3.Cursor) -> None:
        self._cur = cur

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._cur.execute(sql.format(p=""), params)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall()


class SqliteBillingStore(BillingStore):
    def __init__(self, path: Path, *, seed_samples: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        ensure_wal(self._db)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()
        self.dialect = Dialect(transaction=self._transaction, lock="")
        with self._lock:
            for ddl in iter_ddl(""):
                self._db.execute(ddl)
        if seed_samples and self.is_empty():
            self.seed(sample_billing())

    @contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteCursor(self._db.cursor())
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self._db.close()
