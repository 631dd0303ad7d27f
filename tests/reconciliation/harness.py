"""Run the reconciliation workflow on a real Temporal server against a PO store in a temp
dir, with the model providers pointed at the local fakes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.common.audit import AuditActivities
from activities.common.deps import ActivityDeps, build_deps
from activities.reconciliation.activities import ReconciliationActivities
from schemas.invoice.invoice import Invoice, LineItem
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.purchase_orders import GoodsReceipt, PoLine, PurchaseOrder, ReceiptLine
from schemas.reconciliation.workflow import (
    ReconciliationInput,
    ReconciliationResult,
    ReconciliationState,
    reconciliation_workflow_id,
)
from vouchflow.settings import Settings
from vouchflow.stores.purchase_orders_sqlite import SqlitePurchaseOrderStore
from workflows.reconciliation.workflow import ReconciliationWorkflow

ACME = "Acme Office Supplies Ltd"


def acme_lines() -> list[PoLine]:
    return [
        PoLine(
            line_no=1,
            description="A4 copier paper 80gsm, box of 5 reams",
            quantity=Decimal(10),
            unit_price_minor=2450,
            line_total_minor=24500,
        ),
        PoLine(
            line_no=2,
            description="Black toner cartridge TN-2420",
            quantity=Decimal(3),
            unit_price_minor=6200,
            line_total_minor=18600,
        ),
        PoLine(
            line_no=3,
            description="Mesh desk organiser",
            quantity=Decimal(4),
            unit_price_minor=1275,
            line_total_minor=5100,
        ),
    ]


def open_store(path: Path) -> SqlitePurchaseOrderStore:
    """The bundled samples plus a look-alike of PO-4500-0142 (same supplier, same lines,
    fully received): an invoice for either is one code cannot place by amount."""
    store = SqlitePurchaseOrderStore(path)
    twin = PurchaseOrder(
        po_number="PO-4500-0143",
        supplier_name=ACME,
        currency="GBP",
        status="open",
        issued_on=dt.date(2026, 3, 3),
        lines=acme_lines(),
    )
    store.load(
        [twin],
        [
            GoodsReceipt(
                receipt_id="GR-20001",
                po_number="PO-4500-0143",
                received_on=dt.date(2026, 3, 11),
                lines=[
                    ReceiptLine(line_no=n, quantity=Decimal(q))
                    for n, q in ((1, 10), (2, 3), (3, 4))
                ],
            )
        ],
    )
    return store


def acme_invoice(number: str = "ACME-2026-0199") -> Invoice:
    return Invoice(
        supplier_name=ACME,
        invoice_number=number,
        issue_date=dt.date(2026, 3, 14),
        currency="GBP",
        subtotal_minor=48200,
        tax_total_minor=9640,
        total_minor=57840,
        line_items=[
            LineItem(
                description=line.description,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                tax_rate=Decimal(20),
                line_total_minor=line.line_total_minor,
            )
            for line in acme_lines()
        ],
    )


# The printed PO number with a letter O for a zero: one edit from PO-4500-0142.
TYPO_REF = "PO-4500-O142"


@dataclass
class ReconHarness:
    client: Client
    task_queue: str
    deps: ActivityDeps
    store: SqlitePurchaseOrderStore

    async def start(
        self,
        invoice: Invoice,
        policy: ReconciliationPolicy | None,
        *,
        references: list[str] | None = None,
        parent: str | None = None,
    ) -> WorkflowHandle[ReconciliationWorkflow, ReconciliationResult]:
        parent = parent or f"invoice-test-{uuid.uuid4().hex[:10]}"
        return await self.client.start_workflow(
            ReconciliationWorkflow.run,
            ReconciliationInput(
                parent_workflow_id=parent,
                invoice=invoice,
                po_references=references or [],
                policy=policy,
            ),
            id=reconciliation_workflow_id(parent),
            task_queue=self.task_queue,
        )

    async def run(
        self,
        invoice: Invoice,
        policy: ReconciliationPolicy | None,
        *,
        references: list[str] | None = None,
    ) -> tuple[ReconciliationResult, ReconciliationState, str]:
        handle = await self.start(invoice, policy, references=references)
        result = await handle.result()
        state = await handle.query("status", result_type=ReconciliationState)
        return result, state, handle.id

    def audit(self, workflow_id: str) -> list[Any]:
        return self.deps.audit.trail(workflow_id)


def reconciliation_worker(
    client: Client,
    deps: ActivityDeps,
    activities: ReconciliationActivities,
    task_queue: str,
    *,
    replace: list[Callable[..., Any]] | None = None,
    identity: str | None = None,
) -> Worker:
    audit = AuditActivities(deps)
    chosen: list[Callable[..., Any]] = [
        audit.append_audit,
        audit.append_audit_batch,
        *activities.all(),
    ]
    if replace:
        names = {getattr(fn, "__temporal_activity_definition").name for fn in replace}
        chosen = [
            fn for fn in chosen if getattr(fn, "__temporal_activity_definition").name not in names
        ]
        chosen += replace
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[ReconciliationWorkflow],
        activities=chosen,
        activity_executor=ThreadPoolExecutor(max_workers=8),
        # A stopped worker cancels its running activities at once (the crash test).
        graceful_shutdown_timeout=dt.timedelta(seconds=0),
        identity=identity,
    )


@asynccontextmanager
async def reconciliation_harness(
    client: Client, settings: Settings, env: dict[str, str]
) -> AsyncIterator[ReconHarness]:
    deps = build_deps(settings)
    store = open_store(settings.home / "purchase_orders.sqlite3")
    task_queue = f"recon-{uuid.uuid4().hex[:12]}"
    activities = ReconciliationActivities(deps, store=store, env=env)
    async with reconciliation_worker(client, deps, activities, task_queue):
        yield ReconHarness(client=client, task_queue=task_queue, deps=deps, store=store)
    store.close()
