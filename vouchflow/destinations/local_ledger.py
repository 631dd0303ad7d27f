"""The embedded destination: draft bills in a SQLite file.

Several processes (worker, CLI) may open the same file, so it runs in WAL mode
with a busy timeout, and every write is a single short transaction.

Duplicate keys are `policy.identifiers.normalise_identifier` of the supplier name and
the invoice number, and the document kind (`invoice` or `credit_note`) is part of the
key: a supplier's credit note CN-7 and invoice CN-7 are different documents. At most
one live draft exists per key; a second is refused with `DuplicateBillError`, naming
the bill that holds the key.

A credit note is booked with the kind carrying the sign: its amounts are stored
positive (`destinations.base.posting_amounts`), the invoice JSON keeps them as read.

Files written by earlier versions are migrated when first opened: the `kind` column is
added (existing rows are invoices), keys are recomputed with the current normal form,
and the one-live-draft index is rebuilt on (supplier, number, kind).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from schemas.invoice.effects import (
    DraftBill,
    DraftBillRequest,
    DuplicateMatch,
    DuplicateQuery,
    RevertOutcome,
    RevertRequest,
)
from schemas.invoice.invoice import DocumentType
from vouchflow.destinations.base import (
    DestinationError,
    DuplicateBillError,
    check_draftable,
    posting_amounts,
)
from vouchflow.invoice.rules.identifiers import clean_identifier, normalise_identifier
from vouchflow.stores.sqlite_wal import ensure_wal

_SCHEMA = """
CREATE TABLE IF NOT EXISTS draft_bills (
    bill_id TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    supplier_name TEXT,
    supplier_key TEXT,
    invoice_number TEXT,
    number_key TEXT,
    document_sha256 TEXT NOT NULL,
    currency TEXT,
    total_minor INTEGER,
    invoice_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('DRAFT', 'DELETED')),
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    kind TEXT NOT NULL DEFAULT 'invoice'
);
CREATE INDEX IF NOT EXISTS draft_bills_supplier_number ON draft_bills (supplier_key, number_key);
CREATE INDEX IF NOT EXISTS draft_bills_sha ON draft_bills (document_sha256);
"""

# Bumped when keys or columns change; `_migrate` brings older files up to it.
_SCHEMA_VERSION = 2

# At most one live draft per supplier + invoice number + kind, enforced by the database so
# that two workflows posting at the same moment cannot both create one.
_ONE_LIVE_DRAFT = """
CREATE UNIQUE INDEX IF NOT EXISTS draft_bills_one_live_draft_per_kind
    ON draft_bills (supplier_key, number_key, kind)
    WHERE status = 'DRAFT' AND supplier_key IS NOT NULL AND number_key IS NOT NULL;
"""

_BUSY_TIMEOUT_MS = 10_000


class LedgerBill(BaseModel):
    """One row of the ledger, as the CLI and tests see it."""

    model_config = ConfigDict(extra="forbid")

    bill_id: str
    workflow_id: str
    idempotency_key: str
    supplier_name: str | None
    invoice_number: str | None
    document_sha256: str
    currency: str | None
    total_minor: int | None
    invoice_json: str
    status: str
    created_at: dt.datetime
    deleted_at: dt.datetime | None
    kind: DocumentType = "invoice"


def normalise_key(value: str | None) -> str | None:
    """The duplicate key of a supplier name or invoice number (one rule everywhere)."""
    return normalise_identifier(value)


def _bill_id(idempotency_key: str) -> str:
    # Derived from the key, so the same request always names the same bill.
    return "LB-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:16].upper()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class LocalLedger:
    name = "local"

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._initialised = False

    def _connect(self) -> sqlite3.Connection:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.db_path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        if not self._initialised:
            ensure_wal(conn)
            conn.executescript(_SCHEMA)
            _migrate(conn)
            # A ledger from before this guard may already hold duplicates: keep working;
            # the workflow's own duplicate checks still apply.
            with contextlib.suppress(sqlite3.IntegrityError):
                conn.executescript(_ONE_LIVE_DRAFT)
            self._initialised = True
        return conn

    # -- Destination -----------------------------------------------------------------------

    async def create_draft_bill(self, request: DraftBillRequest, document: bytes) -> DraftBill:
        return await asyncio.to_thread(self._create, request)

    async def find_duplicates(self, query: DuplicateQuery) -> list[DuplicateMatch]:
        return await asyncio.to_thread(self._find, query)

    async def revert_draft_bill(self, request: RevertRequest) -> RevertOutcome:
        return await asyncio.to_thread(self._revert, request)

    def list_bills(self, *, include_deleted: bool = True) -> list[LedgerBill]:
        sql = "SELECT * FROM draft_bills"
        if not include_deleted:
            sql += " WHERE status = 'DRAFT'"
        with self._closing() as conn:
            rows = conn.execute(sql + " ORDER BY created_at, bill_id").fetchall()
        return [_to_bill(row) for row in rows]

    # -- implementation --------------------------------------------------------------------

    def _closing(self) -> _Conn:
        return _Conn(self._connect())

    def _create(self, request: DraftBillRequest) -> DraftBill:
        check_draftable(request.invoice)
        with self._closing() as conn:
            existing = conn.execute(
                "SELECT 1 FROM draft_bills WHERE idempotency_key = ?",
                (request.idempotency_key,),
            ).fetchone()
            if existing is None:
                holder = self._live_holder(conn, request)
                if holder is not None:
                    raise self._duplicate(request, holder)
            try:
                cursor = self._insert(conn, request)
            except sqlite3.IntegrityError as err:
                raise self._second_live_draft(conn, request) from err
            created = cursor.rowcount == 1
            row = conn.execute(
                "SELECT bill_id, status FROM draft_bills WHERE idempotency_key = ?",
                (request.idempotency_key,),
            ).fetchone()
        return DraftBill(
            destination=self.name, bill_id=row["bill_id"], status=row["status"], created=created
        )

    def _insert(self, conn: sqlite3.Connection, request: DraftBillRequest) -> sqlite3.Cursor:
        invoice = request.invoice
        booked = posting_amounts(invoice)
        return conn.execute(
            """INSERT INTO draft_bills (bill_id, workflow_id, idempotency_key, supplier_name,
                       supplier_key, invoice_number, number_key, document_sha256, currency,
                       total_minor, invoice_json, status, created_at, kind)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'DRAFT', ?, ?)
                   ON CONFLICT (idempotency_key) DO NOTHING""",
            (
                _bill_id(request.idempotency_key),
                request.workflow_id,
                request.idempotency_key,
                clean_identifier(invoice.supplier_name),
                normalise_key(invoice.supplier_name),
                clean_identifier(invoice.invoice_number),
                normalise_key(invoice.invoice_number),
                request.document.sha256,
                invoice.currency,
                booked.total_minor,
                invoice.model_dump_json(),
                _now(),
                invoice.document_type,
            ),
        )

    def _live_holder(
        self, conn: sqlite3.Connection, request: DraftBillRequest
    ) -> sqlite3.Row | None:
        invoice = request.invoice
        row: sqlite3.Row | None = conn.execute(
            """SELECT bill_id, workflow_id FROM draft_bills
               WHERE status = 'DRAFT' AND supplier_key = ? AND number_key = ? AND kind = ?
                 AND idempotency_key != ?""",
            (
                normalise_key(invoice.supplier_name),
                normalise_key(invoice.invoice_number),
                invoice.document_type,
                request.idempotency_key,
            ),
        ).fetchone()
        return row

    def _duplicate(self, request: DraftBillRequest, row: sqlite3.Row | None) -> DestinationError:
        invoice = request.invoice
        kind = "credit note" if invoice.document_type == "credit_note" else "bill"
        if row is None:
            return DestinationError(
                f"duplicate: another {kind} is already a draft for {invoice.supplier_name!r}"
                f" {invoice.invoice_number!r}",
                retryable=False,
            )
        return DuplicateBillError(
            f"duplicate: {kind} {row['bill_id']} (workflow {row['workflow_id']}) is already a"
            f" draft for {invoice.supplier_name!r} {invoice.invoice_number!r}",
            destination=self.name,
            bill_id=str(row["bill_id"]),
            workflow_id=str(row["workflow_id"]),
        )

    def _second_live_draft(
        self, conn: sqlite3.Connection, request: DraftBillRequest
    ) -> DestinationError:
        """Two workflows raced to draft the same supplier + number: the database let one
        win; the other must not create a second bill (fail closed to a person)."""
        return self._duplicate(request, self._live_holder(conn, request))

    def _find(self, query: DuplicateQuery) -> list[DuplicateMatch]:
        supplier_key = normalise_key(query.supplier_name)
        number_key = normalise_key(query.invoice_number)
        matches: dict[str, DuplicateMatch] = {}
        with self._closing() as conn:
            if supplier_key and number_key:
                for row in conn.execute(
                    """SELECT bill_id, workflow_id FROM draft_bills
                       WHERE status = 'DRAFT' AND supplier_key = ? AND number_key = ?
                         AND kind = ? AND workflow_id != ?""",
                    (supplier_key, number_key, query.document_type, query.workflow_id),
                ):
                    matches[row["bill_id"]] = DuplicateMatch(
                        bill_id=row["bill_id"],
                        workflow_id=row["workflow_id"],
                        reason="same_supplier_and_number",
                    )
            for row in conn.execute(
                """SELECT bill_id, workflow_id FROM draft_bills
                   WHERE status = 'DRAFT' AND document_sha256 = ? AND workflow_id != ?""",
                (query.document_sha256, query.workflow_id),
            ):
                matches.setdefault(
                    row["bill_id"],
                    DuplicateMatch(
                        bill_id=row["bill_id"],
                        workflow_id=row["workflow_id"],
                        reason="same_document",
                    ),
                )
        return list(matches.values())

    def _revert(self, request: RevertRequest) -> RevertOutcome:
        with self._closing() as conn:
            row = conn.execute(
                "SELECT status FROM draft_bills WHERE bill_id = ?", (request.bill_id,)
            ).fetchone()
            if row is None:
                return RevertOutcome(
                    reverted=False, status="MISSING", reason=f"bill {request.bill_id} not found"
                )
            if row["status"] == "DRAFT":
                conn.execute(
                    """UPDATE draft_bills SET status = 'DELETED', deleted_at = ?
                       WHERE bill_id = ? AND status = 'DRAFT'""",
                    (_now(), request.bill_id),
                )
        # Reverting twice reports success both times: the bill is gone either way.
        return RevertOutcome(reverted=True, status="DELETED")


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a file written by an earlier version up to `_SCHEMA_VERSION`, once, under a
    write lock (another process may be opening the same file)."""
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= _SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) < _SCHEMA_VERSION:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(draft_bills)")}
            if "kind" not in columns:
                conn.execute(
                    "ALTER TABLE draft_bills ADD COLUMN kind TEXT NOT NULL DEFAULT 'invoice'"
                )
            rows = conn.execute(
                "SELECT bill_id, supplier_name, invoice_number FROM draft_bills"
            ).fetchall()
            conn.executemany(
                "UPDATE draft_bills SET supplier_key = ?, number_key = ? WHERE bill_id = ?",
                [
                    (
                        normalise_key(row["supplier_name"]),
                        normalise_key(row["invoice_number"]),
                        row["bill_id"],
                    )
                    for row in rows
                ],
            )
            # The old guard ignored the kind; `_ONE_LIVE_DRAFT` replaces it.
            conn.execute("DROP INDEX IF EXISTS draft_bills_one_live_draft")
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class _Conn:
    """Closes the connection on exit (sqlite3's own context manager only commits)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _to_bill(row: sqlite3.Row) -> LedgerBill:
    data = dict(row)
    data.pop("supplier_key")
    data.pop("number_key")
    return LedgerBill.model_validate(data)
