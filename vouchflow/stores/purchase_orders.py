"""The purchase-order store: POs (lines, amounts, currency, status), goods receipts, and
the register of invoices already booked against POs.

SQLite by default (``$VOUCHFLOW_HOME/purchase_orders.sqlite3``, seeded on first use with
the bundled samples in ``vouchflow/samples/purchase_orders/``), PostgreSQL in production
(``VOUCHFLOW_PURCHASE_ORDERS_URL``, else ``[reconciliation] dsn``; tables in their own
schema). Reconciliation only reads it: the tools are read-only and a verified match is a
routing signal, never a write. ``load`` is for the ERP sync that owns the data (and tests).

PO numbers and supplier names are compared by their keys (upper case, no spaces or
punctuation; legal forms dropped from names), so "PO 4500-123" and "po4500123" are one PO.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from schemas.reconciliation.purchase_orders import (
    GoodsReceipt,
    InvoicedRecord,
    PoFacts,
    PoStatus,
    PurchaseOrder,
    SupplierHistory,
)
from vouchflow.invoice.rules.identifiers import normalise_identifier
from vouchflow.invoice.templates.identity import name_key

PURCHASE_ORDERS_URL_ENV = "VOUCHFLOW_PURCHASE_ORDERS_URL"
SAMPLE_PACKAGE = "vouchflow.samples"
SAMPLE_FILE = ("purchase_orders", "purchase_orders.json")
DEFAULT_PG_SCHEMA = "vouchflow_purchase_orders"

DDL = (
    """CREATE TABLE IF NOT EXISTS {p}purchase_orders (
        po_key TEXT PRIMARY KEY,
        po_number TEXT NOT NULL,
        supplier_key TEXT NOT NULL,
        supplier_vat TEXT,
        currency TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'partially_received', 'closed')),
        issued_on TEXT NOT NULL,
        total_minor BIGINT NOT NULL,
        body TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS po_by_supplier ON {p}purchase_orders (supplier_key)",
    "CREATE INDEX IF NOT EXISTS po_by_amount ON {p}purchase_orders (currency, total_minor)",
    """CREATE TABLE IF NOT EXISTS {p}goods_receipts (
        receipt_id TEXT PRIMARY KEY,
        po_key TEXT NOT NULL,
        received_on TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS receipts_by_po ON {p}goods_receipts (po_key)",
    """CREATE TABLE IF NOT EXISTS {p}po_invoices (
        supplier_key TEXT NOT NULL,
        invoice_key TEXT NOT NULL,
        po_key TEXT NOT NULL,
        invoiced_on TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (supplier_key, invoice_key, po_key)
    )""",
    "CREATE INDEX IF NOT EXISTS invoices_by_po ON {p}po_invoices (po_key)",
)

_PO_COLUMNS = "body"


def ident_key(value: str) -> str:
    """PO and invoice numbers: upper case, no spaces or punctuation."""
    return normalise_identifier(value) or value.strip().upper()


po_key = ident_key


def supplier_key(name: str) -> str:
    return name_key(name) or name.strip().casefold()


def vat_key(vat_id: str | None) -> str | None:
    return (normalise_identifier(vat_id) or None) if vat_id else None


class PurchaseOrderStore(Protocol):
    """Synchronous by design: activities call it through `asyncio.to_thread`."""

    def load(
        self,
        purchase_orders: Iterable[PurchaseOrder],
        receipts: Iterable[GoodsReceipt] = (),
        invoiced: Iterable[InvoicedRecord] = (),
    ) -> None: ...

    def purchase_order(self, po_number: str) -> PurchaseOrder | None: ...

    def facts(self, po_number: str) -> PoFacts | None: ...

    def query(
        self,
        *,
        supplier_name: str | None = None,
        supplier_vat_id: str | None = None,
        currency: str | None = None,
        min_total_minor: int | None = None,
        max_total_minor: int | None = None,
        issued_from: dt.date | None = None,
        issued_to: dt.date | None = None,
        statuses: Sequence[PoStatus] | None = None,
        limit: int = 200,
    ) -> list[PoFacts]: ...

    def receipts(self, po_number: str) -> list[GoodsReceipt]: ...

    def invoices(
        self, *, supplier_name: str, invoice_number: str | None = None, limit: int = 200
    ) -> list[InvoicedRecord]: ...

    def supplier_history(self, supplier_name: str) -> SupplierHistory: ...

    def close(self) -> None: ...


class SqlPurchaseOrders:
    """The queries both backends share (`?` placeholders; the PostgreSQL store converts).
    Subclasses provide `_rows(sql, params)` and `_write(statements)`."""

    prefix = ""

    def _q(self, text: str) -> str:
        return text.format(p=self.prefix)

    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _write(self, statements: list[tuple[str, Sequence[Any]]]) -> None:
        raise NotImplementedError

    # ---- writes (the ERP sync, seeding, tests) ---------------------------------------

    def load(
        self,
        purchase_orders: Iterable[PurchaseOrder],
        receipts: Iterable[GoodsReceipt] = (),
        invoiced: Iterable[InvoicedRecord] = (),
    ) -> None:
        upsert_po = self._q(
            "INSERT INTO {p}purchase_orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (po_key) DO UPDATE SET po_number=excluded.po_number,"
            " supplier_key=excluded.supplier_key, supplier_vat=excluded.supplier_vat,"
            " currency=excluded.currency, status=excluded.status,"
            " issued_on=excluded.issued_on, total_minor=excluded.total_minor,"
            " body=excluded.body"
        )
        upsert_receipt = self._q(
            "INSERT INTO {p}goods_receipts VALUES (?, ?, ?, ?) ON CONFLICT (receipt_id)"
            " DO UPDATE SET po_key=excluded.po_key, received_on=excluded.received_on,"
            " body=excluded.body"
        )
        upsert_invoice = self._q(
            "INSERT INTO {p}po_invoices VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (supplier_key, invoice_key, po_key) DO UPDATE SET"
            " invoiced_on=excluded.invoiced_on, body=excluded.body"
        )
        statements: list[tuple[str, Sequence[Any]]] = []
        for po in purchase_orders:
            statements.append(
                (
                    upsert_po,
                    (
                        po_key(po.po_number),
                        po.po_number,
                        supplier_key(po.supplier_name),
                        vat_key(po.supplier_vat_id),
                        po.currency,
                        po.status,
                        po.issued_on.isoformat(),
                        po.total_minor,
                        po.model_dump_json(),
                    ),
                )
            )
        for receipt in receipts:
            statements.append(
                (
                    upsert_receipt,
                    (
                        receipt.receipt_id,
                        po_key(receipt.po_number),
                        receipt.received_on.isoformat(),
                        receipt.model_dump_json(),
                    ),
                )
            )
        for record in invoiced:
            statements.append(
                (
                    upsert_invoice,
                    (
                        supplier_key(record.supplier_name),
                        ident_key(record.invoice_number),
                        po_key(record.po_number),
                        record.invoiced_on.isoformat(),
                        record.model_dump_json(),
                    ),
                )
            )
        self._write(statements)

    # ---- reads -----------------------------------------------------------------------

    def purchase_order(self, po_number: str) -> PurchaseOrder | None:
        rows = self._rows(
            self._q("SELECT body FROM {p}purchase_orders WHERE po_key = ?"), (po_key(po_number),)
        )
        return PurchaseOrder.model_validate_json(rows[0][0]) if rows else None

    def receipts(self, po_number: str) -> list[GoodsReceipt]:
        rows = self._rows(
            self._q(
                "SELECT body FROM {p}goods_receipts WHERE po_key = ?"
                " ORDER BY received_on, receipt_id"
            ),
            (po_key(po_number),),
        )
        return [GoodsReceipt.model_validate_json(r[0]) for r in rows]

    def _invoiced_for(self, key: str) -> list[InvoicedRecord]:
        rows = self._rows(
            self._q("SELECT body FROM {p}po_invoices WHERE po_key = ? ORDER BY invoiced_on, body"),
            (key,),
        )
        return [InvoicedRecord.model_validate_json(r[0]) for r in rows]

    def facts(self, po_number: str) -> PoFacts | None:
        po = self.purchase_order(po_number)
        if po is None:
            return None
        return PoFacts(
            po=po,
            receipts=self.receipts(po.po_number),
            invoiced=self._invoiced_for(po_key(po.po_number)),
        )

    def query(
        self,
        *,
        supplier_name: str | None = None,
        supplier_vat_id: str | None = None,
        currency: str | None = None,
        min_total_minor: int | None = None,
        max_total_minor: int | None = None,
        issued_from: dt.date | None = None,
        issued_to: dt.date | None = None,
        statuses: Sequence[PoStatus] | None = None,
        limit: int = 200,
    ) -> list[PoFacts]:
        where: list[str] = []
        params: list[Any] = []
        who: list[str] = []
        if supplier_name:
            who.append("supplier_key = ?")
            params.append(supplier_key(supplier_name))
        if vat := vat_key(supplier_vat_id):
            who.append("supplier_vat = ?")
            params.append(vat)
        if who:
            where.append("(" + " OR ".join(who) + ")")
        for clause, value in (
            ("currency = ?", currency),
            ("total_minor >= ?", min_total_minor),
            ("total_minor <= ?", max_total_minor),
            ("issued_on >= ?", issued_from.isoformat() if issued_from else None),
            ("issued_on <= ?", issued_to.isoformat() if issued_to else None),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if statuses:
            where.append("status IN (" + ", ".join("?" for _ in statuses) + ")")
            params.extend(statuses)
        sql = "SELECT body FROM {p}purchase_orders"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY issued_on DESC, po_key LIMIT ?"
        params.append(limit)
        found: list[PoFacts] = []
        for row in self._rows(self._q(sql), params):
            po = PurchaseOrder.model_validate_json(row[0])
            key = po_key(po.po_number)
            found.append(
                PoFacts(
                    po=po, receipts=self.receipts(po.po_number), invoiced=self._invoiced_for(key)
                )
            )
        return found

    def invoices(
        self, *, supplier_name: str, invoice_number: str | None = None, limit: int = 200
    ) -> list[InvoicedRecord]:
        sql = "SELECT body FROM {p}po_invoices WHERE supplier_key = ?"
        params: list[Any] = [supplier_key(supplier_name)]
        if invoice_number is not None:
            sql += " AND invoice_key = ?"
            params.append(ident_key(invoice_number))
        sql += " ORDER BY invoiced_on DESC, body LIMIT ?"
        params.append(limit)
        return [InvoicedRecord.model_validate_json(r[0]) for r in self._rows(self._q(sql), params)]

    def supplier_history(self, supplier_name: str) -> SupplierHistory:
        key = supplier_key(supplier_name)
        pos = self._rows(
            self._q("SELECT status, currency FROM {p}purchase_orders WHERE supplier_key = ?"),
            (key,),
        )
        invoices = self._rows(
            self._q("SELECT COUNT(*), MAX(invoiced_on) FROM {p}po_invoices WHERE supplier_key = ?"),
            (key,),
        )
        count, last = invoices[0] if invoices else (0, None)
        return SupplierHistory(
            supplier_name=supplier_name,
            known=bool(pos) or bool(count),
            purchase_orders=len(pos),
            open_purchase_orders=sum(1 for status, _ in pos if status != "closed"),
            invoices_booked=int(count or 0),
            currencies=sorted({str(currency) for _, currency in pos}),
            last_invoice_on=dt.date.fromisoformat(str(last)) if last else None,
        )


def sample_data() -> dict[str, Any]:
    text = resources.files(SAMPLE_PACKAGE).joinpath(*SAMPLE_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_sample_data(store: PurchaseOrderStore, data: Mapping[str, Any] | None = None) -> None:
    data = sample_data() if data is None else data
    store.load(
        [PurchaseOrder.model_validate(p) for p in data.get("purchase_orders", [])],
        [GoodsReceipt.model_validate(r) for r in data.get("goods_receipts", [])],
        [InvoicedRecord.model_validate(i) for i in data.get("invoiced", [])],
    )


def purchase_orders_url(
    section: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> str | None:
    environ = os.environ if env is None else env
    if environ.get(PURCHASE_ORDERS_URL_ENV):
        return environ[PURCHASE_ORDERS_URL_ENV]
    dsn = (section or {}).get("dsn")
    return str(dsn) if dsn else None


def open_purchase_order_store(home: Path, url: str | None = None) -> PurchaseOrderStore:
    """PostgreSQL when a URL is configured, else the SQLite file under the home directory
    (seeded with the bundled samples the first time)."""
    if url:
        from vouchflow.stores.purchase_orders_postgres import PostgresPurchaseOrderStore

        return PostgresPurchaseOrderStore(url)
    from vouchflow.stores.purchase_orders_sqlite import SqlitePurchaseOrderStore

    return SqlitePurchaseOrderStore(home / "purchase_orders.sqlite3")
