"""Switching a shared SQLite file to WAL safely.

Changing the journal mode needs an exclusive lock, and SQLite answers "database is
locked" at once (the busy handler is not consulted) when another connection of another
worker or process holds the file. Once a file is in WAL the mode sticks, so: check first,
and retry the switch briefly.
"""

from __future__ import annotations

import sqlite3
import time

_ATTEMPTS = 100
_PAUSE_S = 0.05


def ensure_wal(conn: sqlite3.Connection) -> None:
    for _ in range(_ATTEMPTS):
        try:
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode == "wal":
                return
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            time.sleep(_PAUSE_S)
    raise sqlite3.OperationalError("could not switch the database to WAL: it stays locked")
