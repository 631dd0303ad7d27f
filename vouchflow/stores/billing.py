"""The local billing store: customers, subscriptions, prices, invoices, and the ledger
of executed proposals.

The embedded billing system (SQLite at ``$VOUCHFLOW_HOME/billing.sqlite3``, seeded with
the bundled sample customers; PostgreSQL in production through ``VOUCHFLOW_BILLING_URL``).
With Stripe as the billing system only the ledger is used here.

Billing arithmetic is integer minor units. A subscription bills monthly in advance on
its anchor day (1-28, midnight UTC). A change inside a period is prorated by the share of
the period left (rounded half-even, as a billing system would); a change at a period
boundary starts the new price with that period (no proration).

Execution is one transaction: the ledger row (proposal id primary key, idempotency key
unique) and the subscription update commit together or not at all, so a retried or
duplicated call can never apply a change twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from schemas.proposal.billing import BillingAccount, DryRun, ExecutionReceipt, TierChange

SAMPLE_FILE = "billing_samples.json"


class BillingError(Exception):
    """A billing failure the workflow must see (never retried: the answer would not change)."""

    retryable = False


class DuplicateProposal(BillingError):
    """The proposal was already executed, by another workflow."""


class TierChanged(BillingError):
    """The subscription is no longer on the tier the change was validated against."""


class UnknownSubscription(BillingError):
    """No such subscription (or not this customer's)."""


# --- billing arithmetic (pure) ------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day.day)


def period_for(at: dt.datetime, anchor_day: int) -> tuple[dt.datetime, dt.datetime]:
    """The monthly period [start, end) that contains `at` (anchor day 1-28, UTC)."""
    if not 1 <= anchor_day <= 28:
        raise ValueError("anchor day must be 1-28")
    at = at.astimezone(dt.UTC)
    start = dt.date(at.year, at.month, anchor_day)
    if at.date() < start:
        start = _add_months(start, -1)
    end = _add_months(start, 1)
    as_dt: Callable[[dt.date], dt.datetime] = lambda d: dt.datetime(  # noqa: E731
        d.year, d.month, d.day, tzinfo=dt.UTC
    )
    return as_dt(start), as_dt(end)


def prorate(old_minor: int, new_minor: int, at: dt.datetime, anchor_day: int) -> int:
    """Charge (positive) or credit (negative) for the rest of the period at `at`."""
    start, end = period_for(at, anchor_day)
    if at == start:
        return 0
    left = int((end - at).total_seconds())
    whole = int((end - start).total_seconds())
    numerator = (new_minor - old_minor) * left
    quotient, remainder = divmod(numerator, whole)
    # Half-even rounding in integers (no floats anywhere near money).
    if remainder * 2 > whole or (remainder * 2 == whole and quotient % 2 == 1):
        quotient += 1
    return quotient


def preview_change(
    *,
    old_minor: int,
    new_minor: int,
    pending_minor: int,
    at: dt.datetime,
    anchor_day: int,
    currency: str,
) -> DryRun:
    start, end = period_for(at, anchor_day)
    proration = prorate(old_minor, new_minor, at, anchor_day)
    # At a boundary the next invoice is the one starting then; otherwise it is the one at
    # the end of the current period, carrying the proration.
    next_date = start if at == start else end
    total = new_minor + proration + pending_minor
    lines = [f"{currency} {new_minor} minor: next period at the new price"]
    if proration:
        lines.append(f"{currency} {proration} minor: proration for {at.date()} - {end.date()}")
    if pending_minor:
        lines.append(f"{currency} {pending_minor} minor: pending invoice items")
    return DryRun(
        system="local",
        currency=currency,
        old_price_minor=old_minor,
        new_price_minor=new_minor,
        proration_minor=proration,
        next_invoice_total_minor=total,
        next_invoice_date=next_date,
        proration_date=at,
        lines=lines,
    )


def sample_billing() -> dict[str, Any]:
    text = resources.files("vouchflow.proposal").joinpath("data", SAMPLE_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# --- the store over SQLite or PostgreSQL ---------------------------------------------------


class Cursor(Protocol):
    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


# A dialect opens a transaction and gives a cursor whose SQL uses `?` placeholders and
# `{p}` table prefixes; `lock` is the clause that locks a selected row (PostgreSQL).
Transaction = Callable[[], AbstractContextManager[Cursor]]


@dataclass(frozen=True)
class Dialect:
    transaction: Transaction
    lock: str


DDL = (
    """CREATE TABLE IF NOT EXISTS {p}prices (
        tier TEXT PRIMARY KEY,
        price_ref TEXT NOT NULL,
        currency TEXT NOT NULL,
        monthly_minor BIGINT NOT NULL CHECK (monthly_minor >= 0)
    )""",
    """CREATE TABLE IF NOT EXISTS {p}customers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        currency TEXT NOT NULL,
        arr_minor BIGINT NOT NULL CHECK (arr_minor >= 0)
    )""",
    """CREATE TABLE IF NOT EXISTS {p}subscriptions (
        item_ref TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL UNIQUE REFERENCES {p}customers(id),
        tier TEXT NOT NULL REFERENCES {p}prices(tier),
        anchor_day INTEGER NOT NULL CHECK (anchor_day BETWEEN 1 AND 28),
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {p}invoices (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES {p}customers(id),
        issued_on TEXT NOT NULL,
        amount_minor BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('paid', 'open', 'void'))
    )""",
    """CREATE TABLE IF NOT EXISTS {p}invoice_items (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES {p}customers(id),
        amount_minor BIGINT NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {p}proposals (
        proposal_id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        system TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        from_tier TEXT NOT NULL,
        to_tier TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('claimed', 'executed')),
        ref TEXT NOT NULL DEFAULT '',
        new_price_minor BIGINT NOT NULL DEFAULT 0,
        proration_minor BIGINT NOT NULL DEFAULT 0,
        at TEXT NOT NULL
    )""",
)

_LEDGER = (
    "SELECT workflow_id, idempotency_key, state, ref, new_price_minor, proration_minor, system"
    " FROM {p}proposals WHERE proposal_id = ?"
)


class BillingStore:
    """Shared logic; `SqliteBillingStore` / `PostgresBillingStore` supply the dialect."""

    dialect: Dialect

    def _tx(self) -> AbstractContextManager[Cursor]:
        return self.dialect.transaction()

    # ---- seeding -----------------------------------------------------------------------

    def seed(self, data: dict[str, Any]) -> None:
        """Insert prices, customers, subscriptions and invoices not yet present."""
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._tx() as cur:
            for p in data["prices"]:
                cur.execute(
                    "INSERT INTO {p}prices VALUES (?, ?, ?, ?) ON CONFLICT (tier) DO NOTHING",
                    (p["tier"], p["price_ref"], p["currency"], p["monthly_minor"]),
                )
            for c in data["customers"]:
                cur.execute(
                    "INSERT INTO {p}customers VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (c["id"], c["name"], c["currency"], c["arr_minor"]),
                )
                sub = c["subscription"]
                cur.execute(
                    "INSERT INTO {p}subscriptions VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (item_ref) DO NOTHING",
                    (sub["item_ref"], c["id"], sub["tier"], sub["anchor_day"], now),
                )
                for inv in c.get("invoices", []):
                    cur.execute(
                        "INSERT INTO {p}invoices VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT (id) DO NOTHING",
                        (inv["id"], c["id"], inv["issued_on"], inv["amount_minor"], inv["status"]),
                    )

    def is_empty(self) -> bool:
        with self._tx() as cur:
            cur.execute("SELECT COUNT(*) FROM {p}prices")
            return int(cur.fetchone()[0]) == 0

    # ---- reading -----------------------------------------------------------------------

    def _prices(self, cur: Cursor) -> dict[str, tuple[str, str, int]]:
        cur.execute("SELECT tier, price_ref, currency, monthly_minor FROM {p}prices")
        return {r[0]: (r[1], r[2], int(r[3])) for r in cur.fetchall()}

    def executed_by(self, proposal_id: str) -> str | None:
        with self._tx() as cur:
            cur.execute(_LEDGER, (proposal_id,))
            row = cur.fetchone()
        return str(row[0]) if row else None

    def account(self, customer_id: str, proposal_id: str, now: dt.datetime) -> BillingAccount:
        with self._tx() as cur:
            cur.execute(_LEDGER, (proposal_id,))
            ledger = cur.fetchone()
            executed_by = str(ledger[0]) if ledger else None
            cur.execute(
                "SELECT c.currency, c.arr_minor, s.item_ref, s.tier, s.anchor_day"
                " FROM {p}customers c JOIN {p}subscriptions s ON s.customer_id = c.id"
                " WHERE c.id = ?",
                (customer_id,),
            )
            row = cur.fetchone()
            if row is None:
                return BillingAccount(
                    customer_id=customer_id, found=False, system="local", executed_by=executed_by
                )
            currency, arr, item_ref, tier, anchor = row
            prices = self._prices(cur)
            cur.execute(
                "SELECT COUNT(*), COALESCE(SUM(amount_minor), 0) FROM {p}invoices"
                " WHERE customer_id = ? AND status = 'open'",
                (customer_id,),
            )
            unpaid, unpaid_minor = cur.fetchone()
        start, end = period_for(now, int(anchor))
        return BillingAccount(
            customer_id=customer_id,
            found=True,
            system="local",
            tier=tier,
            currency=str(currency),
            monthly_minor=prices[tier][2],
            tier_prices_minor={t: p[2] for t, p in prices.items() if p[1] == currency},
            arr_minor=int(arr),
            unpaid_invoices=int(unpaid),
            unpaid_minor=int(unpaid_minor),
            subscription_ref=str(item_ref),
            period_start=start,
            period_end=end,
            executed_by=executed_by,
        )

    def _subscription(self, cur: Cursor, change: TierChange, *, lock: bool) -> tuple[str, int]:
        cur.execute(
            "SELECT tier, anchor_day FROM {p}subscriptions WHERE item_ref = ? AND customer_id = ?"
            + (self.dialect.lock if lock else ""),
            (change.subscription_ref, change.customer_id),
        )
        row = cur.fetchone()
        if row is None:
            raise UnknownSubscription(
                f"no subscription {change.subscription_ref} for customer {change.customer_id}"
            )
        return str(row[0]), int(row[1])

    def _pending(self, cur: Cursor, customer_id: str) -> int:
        cur.execute(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM {p}invoice_items WHERE customer_id = ?",
            (customer_id,),
        )
        return int(cur.fetchone()[0])

    def preview(self, change: TierChange) -> DryRun:
        """The billing system's own preview: the arithmetic the change will use."""
        with self._tx() as cur:
            tier, anchor = self._subscription(cur, change, lock=False)
            prices = self._prices(cur)
            pending = self._pending(cur, change.customer_id)
        if tier != change.from_tier:
            raise TierChanged(f"the subscription is on {tier}, not {change.from_tier}")
        return preview_change(
            old_minor=prices[tier][2],
            new_minor=prices[change.to_tier][2],
            pending_minor=pending,
            at=change.proration_date,
            anchor_day=anchor,
            currency=prices[tier][1],
        )

    # ---- the change, once ---------------------------------------------------------------

    def execute(self, change: TierChange) -> ExecutionReceipt:
        with self._tx() as cur:
            # The subscription row lock first: a racing worker waits here, then reads the
            # ledger row the first one committed (a duplicate, not a changed tier).
            tier, anchor = self._subscription(cur, change, lock=True)
            cur.execute(_LEDGER, (change.proposal_id,))
            known = cur.fetchone()
            if known is not None:
                return self._known(change, known)
            if tier != change.from_tier:
                raise TierChanged(
                    f"the subscription is on {tier}, not {change.from_tier}: nothing changed"
                )
            prices = self._prices(cur)
            old, new = prices[tier][2], prices[change.to_tier][2]
            proration = prorate(old, new, change.proration_date, anchor)
            now = dt.datetime.now(dt.UTC).isoformat()
            cur.execute(
                "UPDATE {p}subscriptions SET tier = ?, updated_at = ? WHERE item_ref = ?",
                (change.to_tier, now, change.subscription_ref),
            )
            if proration:
                cur.execute(
                    "INSERT INTO {p}invoice_items VALUES (?, ?, ?, ?, ?)",
                    (
                        f"ii_{change.proposal_id}",
                        change.customer_id,
                        proration,
                        f"proration {change.from_tier} -> {change.to_tier}",
                        now,
                    ),
                )
            ref = f"{change.subscription_ref}@{change.to_tier}"
            self._insert_ledger(cur, change, "local", "executed", ref, new, proration)
        return ExecutionReceipt(
            system="local",
            ref=ref,
            created=True,
            new_price_minor=new,
            proration_minor=proration,
            detail=f"{change.from_tier} -> {change.to_tier}",
        )

    def _known(self, change: TierChange, row: Any) -> ExecutionReceipt:
        workflow_id, key, state, ref, new, proration, system = row
        if workflow_id != change.workflow_id or key != change.idempotency_key:
            raise DuplicateProposal(
                f"proposal {change.proposal_id} was already executed by {workflow_id}"
            )
        if state != "executed":
            raise BillingError(f"proposal {change.proposal_id} is claimed, not executed")
        return ExecutionReceipt(
            system=system,
            ref=str(ref),
            created=False,
            new_price_minor=int(new),
            proration_minor=int(proration),
            detail="already applied by this workflow",
        )

    def _insert_ledger(
        self,
        cur: Cursor,
        change: TierChange,
        system: str,
        state: str,
        ref: str,
        new: int,
        proration: int,
    ) -> None:
        cur.execute(
            "INSERT INTO {p}proposals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                change.proposal_id,
                change.workflow_id,
                change.idempotency_key,
                system,
                change.customer_id,
                change.from_tier,
                change.to_tier,
                state,
                ref,
                new,
                proration,
                dt.datetime.now(dt.UTC).isoformat(),
            ),
        )

    # ---- the ledger for a remote billing system (Stripe) -------------------------------------

    def claim(self, change: TierChange, system: str) -> ExecutionReceipt | None:
        """Reserve the proposal for this workflow before calling the remote system. None =
        claimed (call it); a receipt = this workflow already finished it; another workflow's
        claim raises DuplicateProposal."""
        with self._tx() as cur:
            cur.execute(_LEDGER, (change.proposal_id,))
            known = cur.fetchone()
            if known is None:
                self._insert_ledger(cur, change, system, "claimed", "", 0, 0)
                return None
            workflow_id, key, state = known[0], known[1], known[2]
            if workflow_id != change.workflow_id or key != change.idempotency_key:
                raise DuplicateProposal(
                    f"proposal {change.proposal_id} was already executed by {workflow_id}"
                )
            return self._known(change, known) if state == "executed" else None

    def settle(self, change: TierChange, receipt: ExecutionReceipt) -> None:
        with self._tx() as cur:
            cur.execute(
                "UPDATE {p}proposals SET state = 'executed', ref = ?, new_price_minor = ?,"
                " proration_minor = ? WHERE proposal_id = ? AND workflow_id = ?",
                (
                    receipt.ref,
                    receipt.new_price_minor,
                    receipt.proration_minor,
                    change.proposal_id,
                    change.workflow_id,
                ),
            )

    # ---- what tests and the demo read ------------------------------------------------------

    def tier_of(self, customer_id: str) -> str | None:
        with self._tx() as cur:
            cur.execute("SELECT tier FROM {p}subscriptions WHERE customer_id = ?", (customer_id,))
            row = cur.fetchone()
        return str(row[0]) if row else None

    def ledger(self) -> list[dict[str, Any]]:
        with self._tx() as cur:
            cur.execute(
                "SELECT proposal_id, workflow_id, system, customer_id, from_tier, to_tier, state,"
                " ref, proration_minor FROM {p}proposals ORDER BY at, proposal_id"
            )
            rows = cur.fetchall()
        keys = (
            "proposal_id",
            "workflow_id",
            "system",
            "customer_id",
            "from_tier",
            "to_tier",
            "state",
            "ref",
            "proration_minor",
        )
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def invoice_items(self, customer_id: str) -> list[tuple[str, int]]:
        with self._tx() as cur:
            cur.execute(
                "SELECT id, amount_minor FROM {p}invoice_items WHERE customer_id = ? ORDER BY id",
                (customer_id,),
            )
            return [(str(r[0]), int(r[1])) for r in cur.fetchall()]

    def close(self) -> None:  # pragma: no cover - overridden
        pass


def iter_ddl(prefix: str) -> Iterator[str]:
    for statement in DDL:
        yield statement.format(p=prefix)
