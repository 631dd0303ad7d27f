"""The triage store: decisions, the local queue table, corrections, local escalations.

Every write is idempotent by a key derived from the workflow id, so an activity retried
after a crash finds its first write instead of making a second one:

* ``decisions``: one row per (workflow, step); a ticket has an ``initial`` decision
  and, after a review, a ``final`` one;
* ``queue_items``: one row per ticket, holding the queue it currently sits in. A
  write for an earlier step never overwrites a later one (a retried ``initial`` write
  cannot pull a reviewed ticket back into the review queue);
* ``corrections``: reviewers' corrections in structured form (the classifier's eval
  regression cases);
* ``escalations``: escalation issues, local ones and the Jira ids created (searched
  with read-after-write consistency before creating again).

SQLite by default (``$VOUCHFLOW_HOME/triage.sqlite3``), PostgreSQL with the same SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from schemas.triage.activities import StoredDecision, StoreDecisionInput
from schemas.triage.decisions import CorrectionRecord

STEP_ORDER = {"initial": 0, "final": 1}
DEFAULT_PG_SCHEMA = "vouchflow_triage"

_DDL = (
    """CREATE TABLE IF NOT EXISTS {p}decisions (
        idempotency_key TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        step TEXT NOT NULL,
        route TEXT NOT NULL,
        queue TEXT NOT NULL,
        reasons TEXT NOT NULL,
        classification TEXT NOT NULL,
        classifier TEXT NOT NULL,
        reviewed_by TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {p}queue_items (
        workflow_id TEXT PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        queue TEXT NOT NULL,
        route TEXT NOT NULL,
        category TEXT NOT NULL,
        urgency TEXT NOT NULL,
        step_order INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {p}corrections (
        idempotency_key TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        original TEXT NOT NULL,
        corrected TEXT NOT NULL,
        reason TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        proof TEXT NOT NULL,
        channel TEXT NOT NULL,
        classifier TEXT NOT NULL,
        at TEXT NOT NULL,
        ticket TEXT,
        plan TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE IF NOT EXISTS {p}escalations (
        label TEXT NOT NULL,
        destination TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        issue_key TEXT NOT NULL,
        issue_id TEXT NOT NULL,
        queue TEXT NOT NULL,
        summary TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (label, destination, issue_id)
    )""",
)


class TriageStore:
    """One class for both engines: the SQL is portable; only the connection differs."""

    def __init__(
        self,
        *,
        sqlite_path: Path | None = None,
        postgres_url: str | None = None,
        schema: str = DEFAULT_PG_SCHEMA,
    ) -> None:
        self._lock = threading.Lock()
        self._pg_url = postgres_url
        self._db: sqlite3.Connection | None = None
        if postgres_url:
            from psycopg import sql

            self._prefix = f"{sql.Identifier(schema).as_string(None)}."
            with self._connect() as conn:
                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
                )
                for ddl in _DDL:
                    conn.execute(self._q(ddl))
        else:
            assert sqlite_path is not None
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            self._prefix = ""
            self._db = sqlite3.connect(sqlite_path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            for ddl in _DDL:
                self._db.execute(ddl.format(p=""))

    @classmethod
    def open(cls, home: Path, postgres_url: str | None = None) -> TriageStore:
        if postgres_url:
            return cls(postgres_url=postgres_url)
        return cls(sqlite_path=home / "triage.sqlite3")

    def _q(self, text: str) -> str:
        text = text.format(p=self._prefix)
        return text.replace("?", "%s") if self._pg_url else text

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        if self._pg_url:
            import psycopg

            with psycopg.connect(self._pg_url, autocommit=False) as conn:
                yield conn
            return
        assert self._db is not None
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # ---- decisions and the queue table -------------------------------------------------

    def store_decision(self, request: StoreDecisionInput, *, now: dt.datetime) -> StoredDecision:
        route = request.route
        c = request.classification
        with self._connect() as conn:
            inserted = conn.execute(
                self._q(
                    "INSERT INTO {p}decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (idempotency_key) DO NOTHING"
                ),
                (
                    request.idempotency_key,
                    request.workflow_id,
                    request.ticket_id,
                    request.customer_id,
                    request.step,
                    route.route,
                    route.queue,
                    json.dumps(route.reasons),
                    c.model_dump_json(),
                    request.classifier,
                    request.reviewed_by,
                    now.isoformat(),
                ),
            ).rowcount
            order = STEP_ORDER[request.step]
            conn.execute(
                self._q(
                    "INSERT INTO {p}queue_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (workflow_id) DO UPDATE SET queue=excluded.queue,"
                    " route=excluded.route, category=excluded.category,"
                    " urgency=excluded.urgency, step_order=excluded.step_order,"
                    " updated_at=excluded.updated_at"
                    " WHERE {p}queue_items.step_order < excluded.step_order"
                ),
                (
                    request.workflow_id,
                    request.ticket_id,
                    request.customer_id,
                    route.queue,
                    route.route,
                    c.category,
                    c.urgency,
                    order,
                    now.isoformat(),
                ),
            )
        return StoredDecision(
            decision_id=request.idempotency_key, queue=route.queue, created=inserted == 1
        )

    def queue_of(self, workflow_id: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute(
                self._q("SELECT queue FROM {p}queue_items WHERE workflow_id = ?"), (workflow_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def queue(self, name: str) -> list[dict[str, Any]]:
        with self._connect() as conn:
            rows = conn.execute(
                self._q(
                    "SELECT workflow_id, ticket_id, customer_id, route, category, urgency,"
                    " updated_at FROM {p}queue_items WHERE queue = ? ORDER BY updated_at"
                ),
                (name,),
            ).fetchall()
        keys = ("workflow_id", "ticket_id", "customer_id", "route", "category", "urgency", "at")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def decisions(self, workflow_id: str) -> list[dict[str, Any]]:
        with self._connect() as conn:
            rows = conn.execute(
                self._q(
                    "SELECT step, route, queue, classification, classifier, reviewed_by"
                    " FROM {p}decisions WHERE workflow_id = ? ORDER BY created_at"
                ),
                (workflow_id,),
            ).fetchall()
        return [
            {
                "step": r[0],
                "route": r[1],
                "queue": r[2],
                "classification": json.loads(r[3]),
                "classifier": r[4],
                "reviewed_by": r[5],
            }
            for r in rows
        ]

    # ---- corrections --------------------------------------------------------------------

    def record_correction(self, record: CorrectionRecord) -> bool:
        with self._connect() as conn:
            inserted = conn.execute(
                self._q(
                    "INSERT INTO {p}corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (idempotency_key) DO NOTHING"
                ),
                (
                    record.idempotency_key,
                    record.workflow_id,
                    record.run_id,
                    record.ticket_id,
                    record.original.model_dump_json(),
                    record.corrected.model_dump_json(),
                    record.reason,
                    record.reviewer,
                    record.proof,
                    record.channel,
                    record.classifier,
                    record.at.isoformat(),
                    record.ticket.model_dump_json() if record.ticket else None,
                    record.plan,
                ),
            ).rowcount
        return bool(inserted == 1)

    def corrections(self) -> list[CorrectionRecord]:
        with self._connect() as conn:
            rows = conn.execute(
                self._q(
                    "SELECT idempotency_key, workflow_id, run_id, ticket_id, original, corrected,"
                    " reason, reviewer, proof, channel, classifier, at, ticket, plan"
                    " FROM {p}corrections"
                    " ORDER BY at"
                )
            ).fetchall()
        return [
            CorrectionRecord(
                idempotency_key=r[0],
                workflow_id=r[1],
                run_id=r[2],
                ticket_id=r[3],
                original=json.loads(r[4]),
                corrected=json.loads(r[5]),
                reason=r[6],
                reviewer=r[7],
                proof=r[8],
                channel=r[9],
                classifier=r[10],
                at=dt.datetime.fromisoformat(r[11]),
                ticket=json.loads(r[12]) if r[12] else None,
                plan=r[13],
            )
            for r in rows
        ]

    # ---- escalations --------------------------------------------------------------------

    def escalations(self, label: str, destination: str) -> list[tuple[str, str]]:
        """(issue_key, issue_id) already recorded under this label."""
        with self._connect() as conn:
            rows = conn.execute(
                self._q(
                    "SELECT issue_key, issue_id FROM {p}escalations"
                    " WHERE label = ? AND destination = ? ORDER BY created_at"
                ),
                (label, destination),
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def record_escalation(
        self,
        *,
        label: str,
        destination: str,
        workflow_id: str,
        issue_key: str,
        issue_id: str,
        queue: str,
        summary: str,
        now: dt.datetime,
    ) -> None:
        with self._connect() as conn:
            conn.execute(
                self._q(
                    "INSERT INTO {p}escalations VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (label, destination, issue_id) DO NOTHING"
                ),
                (
                    label,
                    destination,
                    workflow_id,
                    issue_key,
                    issue_id,
                    queue,
                    summary,
                    now.isoformat(),
                ),
            )

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
