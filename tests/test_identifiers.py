"""One normal form for duplicate keys, and invisible characters flagged in key fields."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from schemas.common.documents import BlobRef
from schemas.invoice.effects import DraftBillRequest, DuplicateQuery
from schemas.invoice.invoice import Invoice
from tests.policy_builders import TODAY, make_extraction, make_invoice
from vouchflow.destinations.base import DuplicateBillError
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.invoice.rules.approvals import check_approval
from vouchflow.invoice.rules.assess import assess
from vouchflow.invoice.rules.confidence import is_known_supplier
from vouchflow.invoice.rules.identifiers import (
    clean_identifier,
    invisible_characters,
    normalise_identifier,
)
from vouchflow.invoice.rules.validation import validate_invoice
from vouchflow.settings.config import Settings, load_settings

SUPPLIER = "Acme Office Supplies Ltd"

# The same invoice number as people, OCR and attackers write it.
SAME_NUMBER = [
    "INV-1001",
    "inv-1001",
    " INV - 1001 ",
    "INV\u200b-1001",  # zero-width space
    "INV-\u200d1001\u200c",  # zero-width joiner / non-joiner
    "\ufeffINV-1001",  # byte order mark
    "INV-\u202e1001\u202c",  # bidi override and pop
    "INV-\u20601001",  # word joiner
    "\uff29\uff2e\uff36\uff0d\uff11\uff10\uff10\uff11",  # fullwidth
    "INV/1001",
    "INV 1001",
    "INV.1001",
    "INV\u00a01001",  # no-break space
    "\u0406NV-1001",  # Cyrillic capital I
    "INV\u20131001",  # en dash
    "INV-1001\x00",  # NUL
    "INV-1001\ufe0f",  # variation selector
]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


@pytest.mark.parametrize("variant", SAME_NUMBER)
def test_variants_share_one_key(variant: str) -> None:
    assert normalise_identifier(variant) == "inv1001"


@pytest.mark.parametrize(
    "other", ["INV-1002", "INV-10011", "CN-1001", "INV-1001A", "1001", "INV-1OO1"]
)
def test_different_numbers_keep_different_keys(other: str) -> None:
    assert normalise_identifier(other) != normalise_identifier("INV-1001")


@pytest.mark.parametrize("empty", [None, "", "   ", "\u200b\u200b", "---", "#/."])
def test_nothing_identifying_has_no_key(empty: str | None) -> None:
    assert normalise_identifier(empty) is None


def test_supplier_names_fold_the_same_way() -> None:
    key = normalise_identifier(SUPPLIER)
    for variant in [
        "  ACME office   supplies LTD. ",
        "Acme\u200bOffice Supplies Ltd",
        "\uff21cme Office Supplies Ltd",  # fullwidth A
        "Acme Office Supplies Ltd\u200f",  # right-to-left mark
    ]:
        assert normalise_identifier(variant) == key


def test_non_latin_identifiers_are_kept_not_erased() -> None:
    assert normalise_identifier("請求書-\uff12\uff10\uff12\uff15") == "請求書2025"
    assert normalise_identifier("Société Générale") == "sociétégénérale"
    assert normalise_identifier("Müller GmbH") != normalise_identifier("Muller GmbH")


def test_clean_identifier_is_what_a_person_reads() -> None:
    assert clean_identifier("INV\u200b-1001\ufeff") == "INV-1001"
    assert clean_identifier("  Acme \t Office\nSupplies ") == "Acme Office Supplies"
    assert clean_identifier("\uff29\uff2e\uff36-1") == "INV-1"
    assert clean_identifier("\u200b") is None


def test_invisible_characters_are_named_by_code_point() -> None:
    assert invisible_characters("INV-1001") == []
    assert invisible_characters("Acme Office\u00a0Supplies") == []  # a visible space
    found = invisible_characters("IN\u200bV\u200b-\u202e1\t")
    assert found == [
        "U+200B ZERO WIDTH SPACE",
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+0009",
    ]


@pytest.mark.parametrize("field", ["supplier_name", "invoice_number", "currency"])
def test_invisible_characters_in_a_key_field_are_an_error_naming_field_and_code_points(
    settings: Settings, field: str
) -> None:
    value = {"supplier_name": SUPPLIER, "invoice_number": "INV-1001", "currency": "GBP"}[field]
    tampered = value[:2] + "\u200b" + value[2:] + "\u2066"
    _, findings = validate_invoice(
        make_invoice(**{field: tampered}), today=TODAY, settings=settings
    )
    (flag,) = [f for f in findings if f.code == "identifier.invisible_characters"]
    assert flag.severity == "error" and flag.field == field
    assert "U+200B ZERO WIDTH SPACE" in flag.message and "U+2066" in flag.message
    assert flag.actual == "U+200B U+2066"


def test_invisible_characters_force_review(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(invoice_number="INV\u200b-1001"))
    assessment = assess(
        extraction, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
    )
    assert assessment.decision.route == "review"
    assert any("U+200B" in reason for reason in assessment.decision.reasons)


def test_number_with_only_punctuation_counts_as_missing(settings: Settings) -> None:
    _, findings = validate_invoice(
        make_invoice(invoice_number="- / -"), today=TODAY, settings=settings
    )
    (missing,) = [f for f in findings if f.code == "required.invoice_number"]
    assert missing.severity == "error" and "no letters or digits" in missing.message


def test_known_supplier_uses_the_same_normal_form(settings: Settings) -> None:
    assert is_known_supplier("ACME\u200b Office Supplies Ltd.", settings)
    assert not is_known_supplier("Acme Office Supplies", settings)
    assert not is_known_supplier("\u200b", settings)


def _request(workflow_id: str, number: str, supplier: str = SUPPLIER) -> DraftBillRequest:
    return DraftBillRequest(
        workflow_id=workflow_id,
        idempotency_key=f"{workflow_id}:draft-bill",
        invoice=Invoice(
            supplier_name=supplier,
            invoice_number=number,
            issue_date=dt.date(2025, 3, 1),
            currency="GBP",
            total_minor=6900,
        ),
        document=BlobRef(sha256=workflow_id.encode().hex().ljust(64, "0")[:64], size_bytes=3),
        document_filename="x.pdf",
    )


@pytest.mark.parametrize("variant", SAME_NUMBER[1:])
async def test_ledger_finds_and_refuses_every_variant_of_a_drafted_number(
    tmp_path: Path, variant: str
) -> None:
    ledger = LocalLedger(tmp_path / "ledger.sqlite3")
    first = await ledger.create_draft_bill(_request("wf-1", "INV-1001"), b"pdf")
    (match,) = await ledger.find_duplicates(
        DuplicateQuery(
            workflow_id="wf-2",
            supplier_name="ACME Office\u200b Supplies Ltd",
            invoice_number=variant,
            document_sha256="f" * 64,
        )
    )
    assert match.bill_id == first.bill_id and match.reason == "same_supplier_and_number"
    with pytest.raises(DuplicateBillError) as refused:
        await ledger.create_draft_bill(_request("wf-2", variant), b"pdf")
    assert refused.value.bill_id == first.bill_id and refused.value.workflow_id == "wf-1"
    assert len(ledger.list_bills()) == 1


async def test_ledger_unique_index_uses_the_normal_form(tmp_path: Path) -> None:
    """Even a writer that skips the lookup cannot store a second live key."""
    path = tmp_path / "ledger.sqlite3"
    ledger = LocalLedger(path)
    await ledger.create_draft_bill(_request("wf-1", "INV\u200b-1001"), b"pdf")
    (bill,) = ledger.list_bills()
    assert bill.invoice_number == "INV-1001"  # stored as read, without the invisible
    with sqlite3.connect(path) as conn:
        (key,) = conn.execute("SELECT number_key FROM draft_bills").fetchone()
        assert key == "inv1001"
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO draft_bills (bill_id, workflow_id, idempotency_key, supplier_key,"
                " number_key, document_sha256, invoice_json, status, created_at, kind)"
                " VALUES ('x', 'wf-9', 'k9', ?, 'inv1001', 's', '{}', 'DRAFT', 'now', 'invoice')",
                (normalise_identifier(SUPPLIER),),
            )


def test_findings_about_a_huge_key_field_stay_short(settings: Settings) -> None:
    name = "Acme\u200b" + "x" * 5_000
    _, findings = validate_invoice(make_invoice(supplier_name=name), today=TODAY, settings=settings)
    (flag,) = [f for f in findings if f.code == "identifier.invisible_characters"]
    assert len(flag.message) < 300 and "U+200B" in flag.message


def test_currency_with_an_invisible_character_goes_to_review_not_flag(
    settings: Settings,
) -> None:
    extraction = make_extraction(make_invoice(currency="GBP\u200b"))
    assessment = assess(
        extraction, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
    )
    codes = {f.code for f in assessment.findings}
    assert "identifier.invisible_characters" in codes and "currency.unsupported" not in codes
    assert assessment.decision.route == "review"
    # Not even an override drafts it as written: the code must be corrected.
    check = check_approval(
        reviewer="alice",
        submitted_by="carol",
        invoice=assessment.invoice,
        settings=settings,
        findings=assessment.findings,
        override_errors=True,
    )
    assert not check.allowed and "'GBP\\u200b'" in check.reason
