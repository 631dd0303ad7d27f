"""Refusing replayed Slack requests.

Slack signs each request over its timestamp and body, and the signature check
refuses anything older than five minutes; within those five minutes a captured
request would still verify. Every accepted signature is therefore remembered for
the window (plus a margin for clock skew) and a second arrival is refused.

The memory is a small SQLite table in the state directory rather than a dict, so
several gateway processes behind one load balancer, and a gateway restarted inside
the window, agree on what was already seen.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

from vouchflow.notifiers.slack_signature import MAX_AGE_S
from vouchflow.stores.sqlite_wal import ensure_wal

# Remembered for the whole window on either side of "now" the signature check allows.
RETENTION_S = 2 * MAX_AGE_S + 60


class ReplayGuard:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            ensure_wal(conn)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS slack_seen"
                " (fingerprint TEXT PRIMARY KEY, seen_at REAL NOT NULL)"
            )
            conn.commit()
            self._conn = conn
        return self._conn

    def first_time(self, signature: str, now: float) -> bool:
        """Record this signature; False when it was seen within the window already."""
        fingerprint = hashlib.sha256(signature.strip().encode()).hexdigest()
        with self._lock:
            conn = self._connection()
            with conn:
                conn.execute("DELETE FROM slack_seen WHERE seen_at < ?", (now - RETENTION_S,))
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO slack_seen (fingerprint, seen_at) VALUES (?, ?)",
                    (fingerprint, now),
                ).rowcount
        return inserted == 1

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
