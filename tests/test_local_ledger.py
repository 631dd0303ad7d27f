"""The embedded SQLite ledger of draft bills."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from activities.invoice.effects import EffectActivities
from schemas.common.documents import BlobRef
from schemas.invoice.effects import DraftBillRequest, DuplicateQuery, RevertRequest
from schemas.invoice.invoice import Invoice
from vouchflow.destinations.base import DestinationError
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.settings.config import load_settings


def request(
    workflow_id: str,
    *,
    supplier: str = "Acme Office Supplies Ltd",
    number: str = "INV-1",
    sha: str = "aa",
) -> DraftBillRequest:
    return DraftBillRequest(
        workflow_id=workflow_id,
        idempotency_key=f"{workflow_id}:draft-bill",
        invoice=Invoice(
            supplier_name=supplier, invoice_number=number, currency="GBP", total_minor=6900
        ),
        document=BlobRef(sha256=sha * 32, size_bytes=3),
        document_filename="x.pdf",
    )


def query(
    workflow_id: str,
    *,
    supplier: str | None = "Acme Office Supplies Ltd",
    number: str | None = "INV-1",
    sha: str = "zz",
) -> DuplicateQuery:
    return DuplicateQuery(
        workflow_id=workflow_id,
        supplier_name=supplier,
        invoice_number=number,
        document_sha256=sha * 32,
    )


async def test_create_is_idempotent_by_key(tmp_path: Path) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    first = await ledger.create_draft_bill(request("wf-1"), b"pdf")
    again = await ledger.create_draft_bill(request("wf-1"), b"pdf")
    assert first.created and not again.created
    assert first.bill_id == again.bill_id and first.status == "DRAFT"
    (bill,) = ledger.list_bills()
    assert bill.total_minor == 6900 and bill.currency == "GBP"
    assert Invoice.model_validate_json(bill.invoice_json).invoice_number == "INV-1"


async def test_concurrent_creates_from_two_ledgers_make_one_bill(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    results = await asyncio.gather(
        *[LocalLedger(path).create_draft_bill(request("wf-1"), b"pdf") for _ in range(8)]
    )
    assert sum(r.created for r in results) == 1
    assert len({r.bill_id for r in results}) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_duplicates_by_normalised_supplier_and_number(tmp_path: Path) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    bill = await ledger.create_draft_bill(request("wf-1"), b"pdf")
    (match,) = await ledger.find_duplicates(
        query("wf-2", supplier="  acme   OFFICE supplies ltd ", number="inv-1")
    )
    assert match.bill_id == bill.bill_id and match.workflow_id == "wf-1"
    assert match.reason == "same_supplier_and_number"
    assert await ledger.find_duplicates(query("wf-2", number="INV-2")) == []
    assert await ledger.find_duplicates(query("wf-1")) == []  # its own bill


async def test_duplicates_by_document_hash(tmp_path: Path) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    await ledger.create_draft_bill(request("wf-1", sha="bb"), b"pdf")
    (match,) = await ledger.find_duplicates(query("wf-2", supplier=None, number=None, sha="bb"))
    assert match.reason == "same_document"


async def test_revert_marks_deleted_and_is_idempotent(tmp_path: Path) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    bill = await ledger.create_draft_bill(request("wf-1"), b"pdf")
    revert = RevertRequest(workflow_id="wf-1", bill_id=bill.bill_id, idempotency_key="r")
    assert (await ledger.revert_draft_bill(revert)).reverted
    again = await ledger.revert_draft_bill(revert)
    assert again.reverted and again.status == "DELETED"
    (row,) = ledger.list_bills()
    assert row.status == "DELETED" and row.deleted_at is not None
    assert ledger.list_bills(include_deleted=False) == []
    assert await ledger.find_duplicates(query("wf-2")) == []  # deleted bills don't count

    missing = await ledger.revert_draft_bill(
        RevertRequest(workflow_id="wf-9", bill_id="LB-NOPE", idempotency_key="r9")
    )
    assert not missing.reverted and "not found" in missing.reason


async def test_two_workflows_cannot_both_draft_the_same_supplier_and_number(
    tmp_path: Path,
) -> None:
    first, second = LocalLedger(tmp_path / "l.sqlite3"), LocalLedger(tmp_path / "l.sqlite3")
    results = await asyncio.gather(
        first.create_draft_bill(request("wf-a", number="INV-77", sha="aa"), b"pdf"),
        second.create_draft_bill(request("wf-b", number=" inv-77 ", sha="bb"), b"pdf"),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, DestinationError)]
    assert len(errors) == 1 and not errors[0].retryable
    assert "duplicate" in str(errors[0])
    assert len(first.list_bills()) == 1
    # Once the live draft is reverted, the same supplier + number may be drafted again.
    (bill,) = first.list_bills()
    await first.revert_draft_bill(
        RevertRequest(workflow_id=bill.workflow_id, bill_id=bill.bill_id, idempotency_key="r")
    )
    other = "wf-b" if bill.workflow_id == "wf-a" else "wf-a"
    again = await first.create_draft_bill(request(other, number="INV-77", sha="cc"), b"pdf")
    assert again.created and again.status == "DRAFT"


class _Blobs:
    def get(self, sha256: str) -> bytes:
        return b"%PDF-1.4"


def _effects(ledger: LocalLedger) -> EffectActivities:
    deps = ActivityDeps(
        settings=load_settings(env={}),
        blobs=_Blobs(),  # type: ignore[arg-type]
        audit=None,  # type: ignore[arg-type]
        destination=ledger,
        notifier=None,  # type: ignore[arg-type]
        email=None,  # type: ignore[arg-type]
    )
    return EffectActivities(deps)


async def test_second_live_draft_is_a_duplicate_bill_naming_the_existing_one(
    tmp_path: Path,
) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    effects = _effects(ledger)
    first = await effects.post_draft_bill(request("wf-1", number="INV-5"))
    with pytest.raises(ApplicationError) as refused:
        await effects.post_draft_bill(request("wf-2", number="inv 5", sha="bb"))
    err = refused.value
    assert err.type == "DuplicateBill" and err.non_retryable
    assert err.details == (
        {"bill_id": first.bill_id, "workflow_id": "wf-1", "destination": "local"},
    )
    assert first.bill_id in str(err) and "wf-1" in str(err)
    # The same workflow retrying its own post is not a duplicate: it gets its bill back.
    again = await effects.post_draft_bill(request("wf-1", number="INV-5"))
    assert again.bill_id == first.bill_id and not again.created
    assert len(ledger.list_bills()) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"invoice_number": None},
        {"invoice_number": "\u200b"},
        {"supplier_name": None},
        {"currency": None},
        {"total_minor": None},
        {"total_minor": -5},
    ],
)
async def test_a_draft_never_lacks_its_key_fields(
    tmp_path: Path, changes: dict[str, object]
) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    bad = request("wf-1")
    bad = bad.model_copy(update={"invoice": bad.invoice.model_copy(update=changes)})
    with pytest.raises(DestinationError, match="refusing to create a draft") as direct:
        await ledger.create_draft_bill(bad, b"pdf")
    assert not direct.value.retryable
    with pytest.raises(ApplicationError) as via_activity:
        await _effects(ledger).post_draft_bill(bad)
    assert via_activity.value.non_retryable
    assert "refusing to create a draft" in str(via_activity.value)
    assert ledger.list_bills() == []
