"""Signs and credit notes: kept through validation, never auto-drafted, booked as their
own document type (ledger kind, Xero ACCPAYCREDIT with positive amounts)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError
from xero_python.accounting import models as xero_models
from xero_python.api_client import ModelFinder
from xero_python.api_client.deserializer import deserialize

from activities.invoice.assessment import AssessmentActivities
from schemas.common.documents import BlobRef
from schemas.invoice.effects import DraftBillRequest, DuplicateQuery, RevertRequest
from schemas.invoice.invoice import Invoice, LineItem
from schemas.invoice.workflow import AssessInput
from tests.policy_builders import TODAY, make_extraction, make_invoice
from vouchflow.destinations.base import DestinationError, posting_amounts
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.destinations.xero import XeroDestination
from vouchflow.destinations.xero_config import XeroCredentials, XeroSettings
from vouchflow.invoice.rules.approvals import check_approval
from vouchflow.invoice.rules.assess import apply_corrections, assess
from vouchflow.invoice.rules.validation import validate_invoice
from vouchflow.settings.config import Settings, load_settings
from vouchflow.testing.fakes.fake_xero import FakeXero

SUPPLIER = "Acme Office Supplies Ltd"
FINDER = ModelFinder(xero_models)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def negative_credit_note(**changes: Any) -> Invoice:
    """A credit note as printed with minus signs ("-£120.00")."""
    data: dict[str, Any] = {
        "document_type": "credit_note",
        "invoice_number": "CN-77",
        "subtotal_minor": -10_000,
        "tax_total_minor": -2_000,
        "total_minor": -12_000,
        "line_items": [
            LineItem(
                description="Returned paper",
                quantity=Decimal("10"),
                unit_price_minor=-1_000,
                tax_rate=Decimal("20"),
                line_total_minor=-10_000,
            )
        ],
    }
    return make_invoice(**(data | changes))


def route(invoice: Invoice, settings: Settings) -> tuple[str, list[str]]:
    decision = assess(
        make_extraction(invoice), duplicates=[], today=TODAY, settings=settings, text_method="x"
    ).decision
    return decision.route, decision.reasons


# -- policy --------------------------------------------------------------------------------


def test_signs_survive_validation_and_recomputation(settings: Settings) -> None:
    wrong_total = negative_credit_note(total_minor=-99_999)
    checked, findings = validate_invoice(wrong_total, today=TODAY, settings=settings)
    assert checked.total_minor == -12_000 and checked.subtotal_minor == -10_000
    assert checked.tax_total_minor == -2_000
    assert "arithmetic.total_recomputed" in {f.code for f in findings}
    _, clean = validate_invoice(negative_credit_note(), today=TODAY, settings=settings)
    assert {f.code: f.severity for f in clean} == {"document.credit_note": "info"}


@pytest.mark.parametrize(
    "invoice",
    [
        negative_credit_note(),
        make_invoice(document_type="credit_note"),  # a credit note printed positive
    ],
)
def test_a_credit_note_is_never_auto_drafted(settings: Settings, invoice: Invoice) -> None:
    decision, reasons = route(invoice, settings)
    assert decision == "review"
    assert any("credit note" in r and "never drafted automatically" in r for r in reasons)


def test_negative_invoice_total_is_an_error_and_review(settings: Settings) -> None:
    invoice = negative_credit_note(document_type="invoice")
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    (negative,) = [f for f in findings if f.code == "amount.negative_total"]
    assert negative.severity == "error" and "credit_note" in negative.message
    decision, reasons = route(invoice, settings)
    assert decision == "review" and any("negative" in r for r in reasons)


def test_zero_total_is_never_auto_drafted(settings: Settings) -> None:
    zero = make_invoice(
        subtotal_minor=0,
        tax_total_minor=0,
        total_minor=0,
        line_items=[LineItem(description="Free sample", line_total_minor=0)],
    )
    _, findings = validate_invoice(zero, today=TODAY, settings=settings)
    assert {"amount.zero_total": "warning"}.items() <= {
        f.code: f.severity for f in findings
    }.items()
    decision, reasons = route(zero, settings)
    assert decision == "review" and any("total is zero" in r for r in reasons)


def test_corrections_cannot_make_an_invoice_total_negative() -> None:
    with pytest.raises(ValueError, match=r"negative .* on an invoice"):
        apply_corrections(make_invoice(), {"total_minor": -1})
    # ...but a credit note may carry the minus sign it was printed with.
    fixed = apply_corrections(make_invoice(), {"total_minor": -1, "document_type": "credit_note"})
    assert fixed.document_type == "credit_note" and fixed.total_minor == -1
    back = apply_corrections(negative_credit_note(), {"document_type": "credit_note"})
    assert back.total_minor == -12_000


async def test_corrected_lines_cannot_make_the_recomputed_total_negative(
    settings: Settings,
) -> None:
    activities = AssessmentActivities(deps=None)  # type: ignore[arg-type]
    request = AssessInput(
        extraction=make_extraction(make_invoice()),
        duplicates=[],
        today=TODAY,
        text_method="pdf_text",
        policy=settings.invoice_policy(),
        corrections={
            "line_items": [{"description": "refund", "line_total_minor": -50_000}],
        },
    )
    with pytest.raises(ApplicationError) as refused:
        await activities.assess_invoice(request)
    assert refused.value.type == "InvalidCorrections" and refused.value.non_retryable
    assert "negative" in str(refused.value) and "credit_note" in str(refused.value)
    as_credit = request.model_copy(
        update={"corrections": {**(request.corrections or {}), "document_type": "credit_note"}}
    )
    assessment = await activities.assess_invoice(as_credit)
    assert assessment.invoice.total_minor is not None and assessment.invoice.total_minor < 0
    assert assessment.decision.route == "review"


def test_approval_limits_apply_to_the_absolute_total(settings: Settings) -> None:
    big_credit = negative_credit_note(
        total_minor=-1_000_001, subtotal_minor=None, tax_total_minor=None, line_items=[]
    )
    refused = check_approval(
        reviewer="bob", submitted_by="carol", invoice=big_credit, settings=settings
    )
    assert not refused.allowed and "above bob's approval limit" in refused.reason
    assert check_approval(
        reviewer="alice", submitted_by="carol", invoice=big_credit, settings=settings
    ).allowed


def test_approval_of_a_negative_invoice_is_refused_even_with_override(
    settings: Settings,
) -> None:
    check = check_approval(
        reviewer="alice",
        submitted_by="carol",
        invoice=negative_credit_note(document_type="invoice"),
        settings=settings,
        override_errors=True,
    )
    assert not check.allowed and "document_type to credit_note" in check.reason


def test_posting_amounts_let_the_type_carry_the_sign() -> None:
    booked = posting_amounts(negative_credit_note())
    assert (booked.subtotal_minor, booked.tax_total_minor, booked.total_minor) == (
        10_000,
        2_000,
        12_000,
    )
    assert booked.line_items[0].unit_price_minor == 1_000
    assert booked.line_items[0].line_total_minor == 10_000
    # A credit note with a discount line keeps its arithmetic: signs flip together.
    mixed = negative_credit_note(
        line_items=[
            LineItem(description="a", line_total_minor=-11_000),
            LineItem(description="discount", line_total_minor=1_000),
        ]
    )
    assert [li.line_total_minor for li in posting_amounts(mixed).line_items] == [11_000, -1_000]
    positive = make_invoice(document_type="credit_note")
    assert posting_amounts(positive) == positive
    invoice = make_invoice()
    assert posting_amounts(invoice) is invoice


# -- local ledger --------------------------------------------------------------------------


def ledger_request(workflow_id: str, invoice: Invoice, sha: str = "aa") -> DraftBillRequest:
    return DraftBillRequest(
        workflow_id=workflow_id,
        idempotency_key=f"{workflow_id}:draft-bill",
        invoice=invoice,
        document=BlobRef(sha256=sha * 32, size_bytes=3),
        document_filename="cn.pdf",
    )


async def test_ledger_books_a_credit_note_as_its_own_kind_with_a_positive_total(
    tmp_path: Path,
) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    await ledger.create_draft_bill(ledger_request("wf-cn", negative_credit_note()), b"pdf")
    (bill,) = ledger.list_bills()
    assert bill.kind == "credit_note" and bill.total_minor == 12_000
    # The invoice as read is kept verbatim, signs and all.
    assert Invoice.model_validate_json(bill.invoice_json).total_minor == -12_000


async def test_credit_note_and_invoice_with_the_same_number_are_not_duplicates(
    tmp_path: Path,
) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    same_number = {"invoice_number": "77"}
    invoice = make_invoice(**same_number)
    credit = negative_credit_note(**same_number)
    await ledger.create_draft_bill(ledger_request("wf-inv", invoice, "aa"), b"pdf")
    query = DuplicateQuery(
        workflow_id="wf-cn",
        supplier_name=SUPPLIER,
        invoice_number="77",
        document_sha256="bb" * 32,
        document_type="credit_note",
    )
    assert await ledger.find_duplicates(query) == []
    await ledger.create_draft_bill(ledger_request("wf-cn", credit, "bb"), b"pdf")
    assert sorted(b.kind for b in ledger.list_bills()) == ["credit_note", "invoice"]
    # A second credit note with that number is a duplicate of the first.
    (match,) = await ledger.find_duplicates(query.model_copy(update={"workflow_id": "wf-cn2"}))
    assert match.workflow_id == "wf-cn"
    with pytest.raises(DestinationError, match="duplicate: credit note"):
        await ledger.create_draft_bill(ledger_request("wf-cn2", credit, "cc"), b"pdf")


_OLD_SCHEMA = """
CREATE TABLE draft_bills (
    bill_id TEXT PRIMARY KEY, workflow_id TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
    supplier_name TEXT, supplier_key TEXT, invoice_number TEXT, number_key TEXT,
    document_sha256 TEXT NOT NULL, currency TEXT, total_minor INTEGER,
    invoice_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('DRAFT', 'DELETED')),
    created_at TEXT NOT NULL, deleted_at TEXT
);
CREATE UNIQUE INDEX draft_bills_one_live_draft ON draft_bills (supplier_key, number_key)
    WHERE status = 'DRAFT' AND supplier_key IS NOT NULL AND number_key IS NOT NULL;
"""


async def test_a_ledger_file_from_before_credit_notes_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(_OLD_SCHEMA)
        conn.execute(
            "INSERT INTO draft_bills VALUES ('LB-OLD', 'wf-old', 'wf-old:draft-bill', ?,"
            " 'acme office supplies ltd', 'INV\u200b-9', 'inv\u200b-9', ?, 'GBP', 6900, '{}',"
            " 'DRAFT', '2025-01-01T00:00:00+00:00', NULL)",
            (SUPPLIER, "dd" * 32),
        )
    ledger = LocalLedger(path)
    (old,) = ledger.list_bills()
    assert old.kind == "invoice" and old.bill_id == "LB-OLD"
    # Keys were recomputed with the current normal form: the old draft is found...
    (match,) = await ledger.find_duplicates(
        DuplicateQuery(
            workflow_id="wf-new",
            supplier_name=SUPPLIER,
            invoice_number="inv 9",
            document_sha256="ee" * 32,
        )
    )
    assert match.bill_id == "LB-OLD"
    # ...a credit note with its number is not a duplicate, an invoice is.
    credit = negative_credit_note(invoice_number="INV-9")
    await ledger.create_draft_bill(ledger_request("wf-cn", credit, "ff"), b"pdf")
    with pytest.raises(DestinationError, match="LB-OLD"):
        await ledger.create_draft_bill(
            ledger_request("wf-inv", make_invoice(invoice_number="INV-9"), "ab"), b"pdf"
        )
    with sqlite3.connect(path) as conn:
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(draft_bills)")}
        assert "draft_bills_one_live_draft" not in indexes
        assert "draft_bills_one_live_draft_per_kind" in indexes
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 2
    # Opening it again (another process) changes nothing.
    assert len(LocalLedger(path).list_bills()) == 2


# -- Xero ----------------------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeXero]:
    server = FakeXero().start()
    yield server
    server.stop()


def xero(fake: FakeXero, **changes: Any) -> XeroDestination:
    base: dict[str, Any] = {
        "tax_types": {"20": "INPUT2", "5": "RRINPUT", "0": "ZERORATEDINPUT"},
        "timeout": "5s",
    }
    return XeroDestination(
        XeroSettings.model_validate(base | changes), XeroCredentials.from_env(fake.env())
    )


def xero_request(workflow_id: str, invoice: Invoice) -> DraftBillRequest:
    return DraftBillRequest(
        workflow_id=workflow_id,
        idempotency_key=f"{workflow_id}:draft-bill",
        invoice=invoice,
        document=BlobRef(sha256="ab" * 32, size_bytes=3, media_type="application/pdf"),
        document_filename="CN-77.pdf",
    )


async def test_xero_credit_note_is_accpaycredit_with_positive_amounts(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = xero(fake)
    bill = await dest.create_draft_bill(xero_request("wf-cn", negative_credit_note()), b"%PDF")
    assert bill.created and bill.status == "DRAFT"
    assert bill.url is not None and "CreditNote" in bill.url
    assert fake.invoices == {}
    stored = fake.credit_notes[bill.bill_id]
    assert stored["Type"] == "ACCPAYCREDIT" and stored["CreditNoteNumber"] == "CN-77"
    assert stored["Total"] == Decimal("120.00") and stored["TotalTax"] == Decimal("20.00")
    assert fake.attachments[bill.bill_id][0]["FileName"] == "CN-77.pdf"

    (put,) = fake.api_requests("PUT", "/CreditNotes")
    sent = json.loads(put.body, parse_float=Decimal)["CreditNotes"][0]
    known = set(xero_models.CreditNote.attribute_map.values())
    assert set(sent) <= known, set(sent) - known
    assert all(Decimal(li["UnitAmount"]) > 0 for li in sent["LineItems"])
    parsed = deserialize("CreditNotes", json.loads(put.body, parse_float=Decimal), FINDER)
    note = parsed.credit_notes[0]
    assert note.type == "ACCPAYCREDIT"
    assert note.credit_note_number == "CN-77" and note.status == "DRAFT"
    await dest.aclose()


async def test_fake_xero_refuses_negative_documents_as_xero_does(fake: FakeXero) -> None:
    contact = fake.add_contact(SUPPLIER)
    dest = xero(fake)
    line = {
        "Description": "x",
        "Quantity": 1,
        "UnitAmount": Decimal("-10.00"),
        "AccountCode": "429",
        "TaxType": "INPUT2",
    }
    for collection, kind in (("CreditNotes", "ACCPAYCREDIT"), ("Invoices", "ACCPAY")):
        body = {
            collection: [{"Type": kind, "Contact": {"ContactID": contact}, "LineItems": [line]}]
        }
        answer = await dest.api.call(
            "PUT",
            f"/{collection}?summarizeErrors=false",
            json_body=json.dumps(body, default=str).replace('"-10.00"', "-10.00"),
        )
        (element,) = (answer or {})[collection]
        assert element["HasErrors"]
        assert "cannot be negative" in element["ValidationErrors"][0]["Message"]
    wrong = {"Invoices": [{"Type": "ACCPAYCREDIT", "Contact": {"ContactID": contact}}]}
    answer = await dest.api.call(
        "PUT", "/Invoices?summarizeErrors=false", json_body=json.dumps(wrong)
    )
    assert "ACCPAY or ACCREC" in str(answer)
    assert fake.invoices == {} and fake.credit_notes == {}
    await dest.aclose()


async def test_xero_keeps_credit_notes_and_bills_apart_for_duplicates(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = xero(fake)
    number = {"invoice_number": "CN-77"}
    bill = await dest.create_draft_bill(xero_request("wf-inv", make_invoice(**number)), b"%PDF")
    credit = await dest.create_draft_bill(
        xero_request("wf-cn", negative_credit_note(**number)), b"%PDF"
    )
    assert credit.created and credit.bill_id != bill.bill_id

    def query(kind: str, number: str = "cn 77") -> DuplicateQuery:
        return DuplicateQuery(
            workflow_id="wf-other",
            supplier_name=SUPPLIER,
            invoice_number=number,
            document_sha256="cd" * 32,
            document_type=kind,
        )

    (as_credit,) = await dest.find_duplicates(query("credit_note", "CN\u200b-77"))
    (as_bill,) = await dest.find_duplicates(query("invoice"))
    assert as_credit.bill_id == credit.bill_id and as_bill.bill_id == bill.bill_id
    assert await dest.find_duplicates(query("credit_note", "CN-78")) == []

    revert = RevertRequest(workflow_id="wf-cn", bill_id=credit.bill_id, idempotency_key="r")
    outcome = await dest.revert_draft_bill(revert)
    assert outcome.reverted and fake.credit_notes[credit.bill_id]["Status"] == "DELETED"
    assert await dest.find_duplicates(query("credit_note")) == []
    assert fake.invoices[bill.bill_id]["Status"] == "DRAFT"
    await dest.aclose()


async def test_credit_note_without_lines_posts_a_positive_summary_line(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = xero(fake)
    summary = negative_credit_note(line_items=[])
    bill = await dest.create_draft_bill(xero_request("wf-cn", summary), b"%PDF")
    stored = fake.credit_notes[bill.bill_id]
    assert stored["Total"] == Decimal("120.00")
    assert stored["LineItems"][0]["Description"] == "Credit note CN-77"
    await dest.aclose()


def test_today_is_fixed_for_these_tests() -> None:
    assert dt.date(2025, 3, 10) == TODAY
