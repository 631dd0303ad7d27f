"""The customer store: plan, ARR and account history (recent tickets, charges, invoices).

SQLite by default (``$VOUCHFLOW_HOME/customers.sqlite3``, seeded on first use with the
bundled sample customers), PostgreSQL in production (``VOUCHFLOW_CUSTOMERS_URL``;
tables in their own schema). The store is authoritative for a customer it knows: the
event's plan and ARR are what the ticket system believed when the ticket was made,
the store is what billing says now. A customer the store does not know keeps the
event's values, and the context says so.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from schemas.triage.context import AccountInvoice, Charge, CustomerContext, PastTicket
from schemas.triage.events import CustomerV1, Money

SAMPLE_FILE = "customers.json"
DEFAULT_PG_SCHEMA = "vouchflow_customers"

_DDL = (
    """CREATE TABLE IF NOT EXISTS {p}customers (
        id TEXT PRIMARY KEY,
        plan TEXT NOT NULL,
        arr_minor BIGINT NOT NULL CHECK (arr_minor >= 0),
        currency TEXT NOT NULL,
        region TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {p}account_history (
        customer_id TEXT NOT NULL REFERENCES {p}customers(id),
        kind TEXT NOT NULL CHECK (kind IN ('ticket', 'charge', 'invoice')),
        ref TEXT NOT NULL,
        on_date TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        amount_minor BIGINT,
        currency TEXT,
        status TEXT NOT NULL,
        PRIMARY KEY (customer_id, kind, ref)
    )""",
)


class CustomerStore(Protocol):
    def context(self, customer: CustomerV1, *, history_limit: int) -> CustomerContext: ...

    def close(self) -> None: ...


def sample_customers() -> list[dict[str, Any]]:
    text = resources.files("vouchflow.triage").joinpath("data", SAMPLE_FILE).read_text("utf-8")
    customers: list[dict[str, Any]] = json.loads(text)["customers"]
    return customers


def merge_context(
    event: CustomerV1, stored: dict[str, Any] | None, history: Sequence[dict[str, Any]]
) -> CustomerContext:
    """The customer's context: the store's plan/ARR/region when known, else the event's."""
    if stored is None:
        return CustomerContext(
            customer_id=event.id,
            known=False,
            source="event",
            plan=event.plan,
            arr=event.arr,
            region=event.region,
            notes=["customer not in the customer store: plan and ARR as the event states them"],
        )
    arr = Money(amount_minor=int(stored["arr_minor"]), currency=str(stored["currency"]))
    notes: list[str] = []
    if stored["plan"].casefold() != event.plan.casefold():
        notes.append(f"the event says plan {event.plan!r}; the store says {stored['plan']!r}")
    if arr != event.arr:
        notes.append(
            f"the event says ARR {event.arr.amount_minor} {event.arr.currency} (minor units);"
            f" the store says {arr.amount_minor} {arr.currency}"
        )
    if stored["region"] != event.region:
        notes.append(f"the event says region {event.region!r}; the store says {stored['region']!r}")
    tickets, charges, invoices = [], [], []
    for row in history:
        day = dt.date.fromisoformat(str(row["on_date"]))
        if row["kind"] == "ticket":
            tickets.append(
                PastTicket(
                    id=row["ref"], opened_on=day, subject=row["subject"][:200], status=row["status"]
                )
            )
            continue
        amount = Money(amount_minor=int(row["amount_minor"]), currency=str(row["currency"]))
        if row["kind"] == "charge":
            charges.append(
                Charge(id=row["ref"], charged_on=day, amount=amount, status=row["status"])
            )
        else:
            invoices.append(
                AccountInvoice(id=row["ref"], issued_on=day, amount=amount, status=row["status"])
            )
    return CustomerContext(
        customer_id=event.id,
        known=True,
        source="store",
        plan=str(stored["plan"]),
        arr=arr,
        region=str(stored["region"]),
        recent_tickets=tickets,
        charges=charges,
        invoices=invoices,
        notes=notes,
    )


def _history_rows(customer: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    cid = customer["id"]
    for t in customer.get("tickets", []):
        yield (cid, "ticket", t["id"], t["opened_on"], t["subject"], None, None, t["status"])
    for c in customer.get("charges", []):
        amount = c["amount"]
        yield (
            cid,
            "charge",
            c["id"],
            c["charged_on"],
            "",
            amount["amount_minor"],
            amount["currency"],
            c["status"],
        )
    for i in customer.get("invoices", []):
        amount = i["amount"]
        yield (
            cid,
            "invoice",
            i["id"],
            i["issued_on"],
            "",
            amount["amount_minor"],
            amount["currency"],
            i["status"],
        )


_SELECT_CUSTOMER = "SELECT id, plan, arr_minor, currency, region FROM {p}customers WHERE id = ?"
# Most recent first, per kind, at most `limit` of each.
_SELECT_HISTORY = (
    "SELECT kind, ref, on_date, subject, amount_minor, currency, status FROM ("
    " SELECT h.*, ROW_NUMBER() OVER (PARTITION BY kind ORDER BY on_date DESC, ref DESC) AS n"
    " FROM {p}account_history h WHERE customer_id = ?) ranked"
    " WHERE n <= ? ORDER BY kind, on_date DESC, ref DESC"
)
_CUSTOMER_COLUMNS = ("id", "plan", "arr_minor", "currency", "region")
_HISTORY_COLUMNS = ("kind", "ref", "on_date", "subject", "amount_minor", "currency", "status")


class SqliteCustomerStore:
    def __init__(self, path: Path, *, seed_samples: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()
        with self._lock:
            for ddl in _DDL:
                self._db.execute(ddl.format(p=""))
            empty = self._db.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 0
        if empty and seed_samples:
            self.upsert(sample_customers())

    def upsert(self, customers: list[dict[str, Any]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for c in customers:
                    arr = c["arr"]
                    self._db.execute(
                        "INSERT INTO customers VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                        " SET plan=excluded.plan, arr_minor=excluded.arr_minor,"
                        " currency=excluded.currency, region=excluded.region",
                        (c["id"], c["plan"], arr["amount_minor"], arr["currency"], c["region"]),
                    )
                    self._db.executemany(
                        "INSERT OR REPLACE INTO account_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        list(_history_rows(c)),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def context(self, customer: CustomerV1, *, history_limit: int) -> CustomerContext:
        with self._lock:
            row = self._db.execute(_SELECT_CUSTOMER.format(p=""), (customer.id,)).fetchone()
            rows = self._db.execute(
                _SELECT_HISTORY.format(p=""), (customer.id, history_limit)
            ).fetchall()
        stored = dict(zip(_CUSTOMER_COLUMNS, row, strict=True)) if row else None
        history = [dict(zip(_HISTORY_COLUMNS, r, strict=True)) for r in rows]
        return merge_context(customer, stored, history)

    def close(self) -> None:
        self._db.close()


class PostgresCustomerStore:
    """PostgreSQL (psycopg 3). One connection per call: the activity runs in a thread
    pool and the calls are few (one per ticket)."""

    def __init__(self, url: str, *, schema: str = DEFAULT_PG_SCHEMA) -> None:
        import psycopg
        from psycopg import sql

        self._psycopg = psycopg
        self._url = url
        self._prefix = f"{sql.Identifier(schema).as_string(None)}."
        with self._connect() as conn:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            for ddl in _DDL:
                conn.execute(self._q(ddl))

    def _q(self, text: str) -> Any:
        return text.format(p=self._prefix).replace("?", "%s")

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        with self._psycopg.connect(self._url, autocommit=False) as conn:
            yield conn

    def upsert(self, customers: list[dict[str, Any]]) -> None:
        with self._connect() as conn:
            for c in customers:
                arr = c["arr"]
                conn.execute(
                    self._q(
                        "INSERT INTO {p}customers VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE"
                        " SET plan=excluded.plan, arr_minor=excluded.arr_minor,"
                        " currency=excluded.currency, region=excluded.region"
                    ),
                    (c["id"], c["plan"], arr["amount_minor"], arr["currency"], c["region"]),
                )
                with conn.cursor() as cur:
                    cur.executemany(
                        self._q(
                            "INSERT INTO {p}account_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT (customer_id, kind, ref) DO UPDATE SET"
                            " on_date=excluded.on_date, subject=excluded.subject,"
                            " amount_minor=excluded.amount_minor, currency=excluded.currency,"
                            " status=excluded.status"
                        ),
                        list(_history_rows(c)),
                    )

    def context(self, customer: CustomerV1, *, history_limit: int) -> CustomerContext:
        with self._connect() as conn:
            row = conn.execute(self._q(_SELECT_CUSTOMER), (customer.id,)).fetchone()
            rows = conn.execute(self._q(_SELECT_HISTORY), (customer.id, history_limit)).fetchall()
        stored = dict(zip(_CUSTOMER_COLUMNS, row, strict=True)) if row else None
        history = [dict(zip(_HISTORY_COLUMNS, r, strict=True)) for r in rows]
        return merge_context(customer, stored, history)

    def close(self) -> None:
        pass


def open_customer_store(backend: str, home: Path, postgres_url: str | None) -> CustomerStore:
    if backend == "postgres":
        if not postgres_url:
            raise ValueError("the postgres customer store needs VOUCHFLOW_CUSTOMERS_URL")
        return PostgresCustomerStore(postgres_url)
    return SqliteCustomerStore(home / "customers.sqlite3")
