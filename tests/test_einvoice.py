"""E-invoices (CII and UBL) are read exactly; checked against the corpus ground truth."""

from __future__ import annotations

import io
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from tests.fixtures import hostile_inputs
from vouchflow.documents.einvoice import (
    EInvoiceError,
    extract_embedded_xml,
    parse_einvoice,
    render_text,
)
from vouchflow.invoice.extraction.problems import EARLIEST_YEAR, LATEST_YEAR

CORPUS = Path(
    os.environ.get("VOUCHFLOW_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)
LINE_FIELDS = ("description", "quantity", "unit_price_minor", "line_total_minor", "tax_rate")


def _all_docs() -> list[dict[str, Any]]:
    manifest = CORPUS / "manifest.json"
    if not manifest.exists():
        return []
    docs: list[dict[str, Any]] = json.loads(manifest.read_text())["documents"]
    return docs


ALL_DOCS = _all_docs()
EINVOICE_DOCS = [d for d in ALL_DOCS if d.get("embedded_xml_name")]
PDF_DOCS = [d for d in ALL_DOCS if d["file"].endswith(".pdf")]
XML_DOCS = [d for d in ALL_DOCS if d["file"].endswith(".xml")]
SUPPORTED_XML_FORMATS = ("CII", "UBL-Invoice", "UBL-CreditNote")
needs_corpus = pytest.mark.skipif(not ALL_DOCS, reason=f"corpus not found at {CORPUS}")


def _expected(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str], bool]:
    """The exact XML-derived truth, the fields it labels, and whether lines are labelled."""
    if "embedded_xml_ground_truth" in doc:
        truth = doc["embedded_xml_ground_truth"]
        return truth, [k for k in truth if k != "line_items"], True
    fields = [f for f in doc["labeled_fields"] if f != "line_items"]
    return doc["ground_truth"], fields, doc["line_items_labeled"]


def _assert_field(doc: dict[str, Any], field: str, got: Any, expected: Any, problems: Any) -> None:
    """A labelled value must be read exactly, except a date the document gives with an
    implausible year (a placeholder such as 0001-01-01): that one is left empty and
    reported, never turned into another date."""
    if (
        field.endswith("_date")
        and isinstance(expected, str)
        and not (EARLIEST_YEAR <= int(expected[:4]) <= LATEST_YEAR)
    ):
        assert got is None, field
        assert any(p.code == "date.implausible" and p.field == field for p in problems)
        return
    assert got == expected, (doc["file"], field)


@needs_corpus
@pytest.mark.parametrize("doc", PDF_DOCS, ids=lambda d: Path(d["file"]).stem)
def test_embedded_xml_is_found_exactly_where_the_manifest_says(doc: dict[str, Any]) -> None:
    found = extract_embedded_xml((CORPUS / doc["file"]).read_bytes())
    if doc.get("embedded_xml_name"):
        assert found is not None
        assert found[0] == ("UBL" if doc["embedded_xml_name"].startswith("UBL") else "CII")
    else:
        assert found is None
    if doc.get("file_noxml"):
        # The stripped copy is the same page without its attachment.
        assert extract_embedded_xml((CORPUS / doc["file_noxml"]).read_bytes()) is None


@needs_corpus
@pytest.mark.parametrize("doc", XML_DOCS, ids=lambda d: Path(d["file"]).stem)
def test_standalone_xml_einvoice_is_read_exactly(doc: dict[str, Any]) -> None:
    xml = (CORPUS / doc["file"]).read_bytes()
    if doc["format"] not in SUPPORTED_XML_FORMATS:
        # Other dialects (e.g. a pre-1.0 ZUGFeRD draft) are refused, never half-read.
        with pytest.raises(EInvoiceError, match="not a UBL or CII invoice"):
            parse_einvoice(xml)
        return
    result = parse_einvoice(xml)
    assert result.extractor.kind == "einvoice"
    assert result.extractor.name.endswith(("(CII)", "(UBL)"))
    expected_type = (
        "credit_note"
        if doc["format"] == "UBL-CreditNote" or doc["document_type_code"] == "381"
        else "invoice"
    )
    assert result.invoice.document_type == expected_type
    if not doc["recommended_for_scoring"]:
        return  # the manifest documents why its values are not reliable (still read safely)
    got = result.invoice.ground_truth_view()
    fields = [f for f in doc["labeled_fields"] if f != "line_items"]
    for field in fields:
        _assert_field(doc, field, got[field], doc["ground_truth"][field], result.problems)
    if doc["line_items_labeled"]:
        expected_lines = [
            {k: line[k] for k in LINE_FIELDS} for line in doc["ground_truth"]["line_items"]
        ]
        assert got["line_items"] == expected_lines


@needs_corpus
@pytest.mark.parametrize("doc", EINVOICE_DOCS, ids=lambda d: Path(d["file"]).stem)
def test_corpus_einvoice_matches_ground_truth_exactly(doc: dict[str, Any]) -> None:
    found = extract_embedded_xml((CORPUS / doc["file"]).read_bytes())
    assert found is not None
    fmt, xml = found
    assert fmt == ("UBL" if doc["embedded_xml_name"].startswith("UBL") else "CII")

    result = parse_einvoice(xml)
    got = result.invoice.ground_truth_view()
    truth, fields, lines_labelled = _expected(doc)

    for field in fields:
        _assert_field(doc, field, got[field], truth[field], result.problems)
    if lines_labelled:
        expected_lines = [{k: line[k] for k in LINE_FIELDS} for line in truth["line_items"]]
        assert got["line_items"] == expected_lines
    assert result.extractor.kind == "einvoice"
    assert result.extractor.name == f"embedded e-invoice XML ({fmt})"
    assert result.usage.input_tokens == result.usage.output_tokens == 0
    assert result.usage.cost_micro_usd == 0


@needs_corpus
@pytest.mark.parametrize(
    "doc", [d for d in EINVOICE_DOCS if "extra" in d], ids=lambda d: Path(d["file"]).stem
)
def test_cii_extras_match(doc: dict[str, Any]) -> None:
    found = extract_embedded_xml((CORPUS / doc["file"]).read_bytes())
    assert found is not None
    invoice = parse_einvoice(found[1]).invoice
    extra = doc["extra"]
    assert invoice.buyer_name == extra["buyer_name"]
    assert invoice.supplier_vat_id == extra["supplier_vat_id"]
    assert invoice.allowance_total_minor == (extra["allowance_total_minor"] or 0)
    assert invoice.charge_total_minor == (extra["charge_total_minor"] or 0)


@needs_corpus
def test_evidence_points_at_the_xml_path() -> None:
    doc = next(d for d in EINVOICE_DOCS if "EN16931" in d["file"])
    found = extract_embedded_xml((CORPUS / doc["file"]).read_bytes())
    assert found is not None
    result = parse_einvoice(found[1])

    by_field = {ev.field: ev for ev in result.evidence}
    total = by_field["total_minor"]
    assert total.value == "10490"
    assert total.certainty == 1.0
    assert total.source_text is not None
    assert "GrandTotalAmount" in total.source_text and "104.90" in total.source_text
    assert all(ev.certainty == 1.0 for ev in result.evidence)
    assert "line_items[1].unit_price_minor" not in by_field  # per 3 units: not exact


def test_pdf_without_attachment_has_no_einvoice() -> None:
    assert extract_embedded_xml(hostile_inputs.text_pdf()) is None
    assert extract_embedded_xml(b"not a pdf") is None


UBL_JPY = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>JP-77</cbc:ID>
  <cbc:IssueDate>2024-05-01</cbc:IssueDate>
  <cbc:DueDate>2024-05-31</cbc:DueDate>
  <cbc:DocumentCurrencyCode>JPY</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Kyoto Paper KK</cbc:Name></cac:PartyName>
    <cac:PartyTaxScheme><cbc:CompanyID>T1234567890123</cbc:CompanyID></cac:PartyTaxScheme>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyLegalEntity>
      <cbc:RegistrationName>Buyer GK</cbc:RegistrationName>
    </cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="JPY">330</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="JPY">3500</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="JPY">3300</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="JPY">3630</cbc:TaxInclusiveAmount>
    <cbc:AllowanceTotalAmount currencyID="JPY">200</cbc:AllowanceTotalAmount>
    <cbc:PayableAmount currencyID="JPY">3630</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">7</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="JPY">3500</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Washi paper</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:Percent>10</cbc:Percent></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="JPY">500</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
  <cac:InvoiceLine>
    <cbc:ID>2</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">3</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="JPY">0</cbc:LineExtensionAmount>
    <cac:Item><cbc:Description>Sample ink</cbc:Description></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="JPY">0.5</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


def test_ubl_zero_decimal_currency_and_inexact_price() -> None:
    invoice = parse_einvoice(UBL_JPY).invoice

    assert invoice.currency == "JPY"
    assert invoice.total_minor == 3630
    assert invoice.subtotal_minor == 3300
    assert invoice.tax_total_minor == 330
    assert invoice.allowance_total_minor == 200
    assert invoice.due_date is not None and invoice.due_date.isoformat() == "2024-05-31"
    assert invoice.supplier_vat_id == "T1234567890123"
    assert invoice.buyer_name == "Buyer GK"
    first, second = invoice.line_items
    assert (first.description, first.unit_price_minor, first.tax_rate) == (
        "Washi paper",
        500,
        Decimal("10"),
    )
    assert first.quantity == Decimal("7")
    # 0.5 yen is not a whole minor unit: the exact price cannot be stated as an integer.
    assert second.description == "Sample ink"
    assert second.unit_price_minor is None


ZUGFERD1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:HeaderExchangedDocument>
    <ram:ID>471102</ram:ID>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20130305</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Lieferant GmbH</ram:Name>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="FC">201/113/40209</ram:ID>
        </ram:SpecifiedTaxRegistration>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">DE123456789</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Kunden AG Mitte</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradePaymentTerms>
        <ram:DueDateDateTime>
          <udt:DateTimeString format="102">20130404</udt:DateTimeString>
        </ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="EUR">473.00</ram:LineTotalAmount>
        <ram:ChargeTotalAmount currencyID="EUR">0.00</ram:ChargeTotalAmount>
        <ram:AllowanceTotalAmount currencyID="EUR">0.00</ram:AllowanceTotalAmount>
        <ram:TaxBasisTotalAmount currencyID="EUR">473.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">56.87</ram:TaxTotalAmount>
        <ram:GrandTotalAmount currencyID="EUR">529.87</ram:GrandTotalAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedSupplyChainTradeAgreement>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount currencyID="EUR">9.9000</ram:ChargeAmount>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedSupplyChainTradeAgreement>
      <ram:SpecifiedSupplyChainTradeDelivery>
        <ram:BilledQuantity unitCode="C62">20.0000</ram:BilledQuantity>
      </ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedSupplyChainTradeSettlement>
        <ram:ApplicableTradeTax><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementMonetarySummation>
          <ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementMonetarySummation>
      </ram:SpecifiedSupplyChainTradeSettlement>
      <ram:SpecifiedTradeProduct><ram:Name>Trennblaetter, A4</ram:Name></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>
"""


def test_zugferd1_cii_is_read() -> None:
    result = parse_einvoice(ZUGFERD1)
    invoice = result.invoice

    assert result.extractor.name == "embedded e-invoice XML (CII)"
    assert invoice.invoice_number == "471102"
    assert invoice.supplier_name == "Lieferant GmbH"
    assert invoice.supplier_vat_id == "DE123456789"  # the VA registration, not the tax number
    assert invoice.issue_date is not None and invoice.issue_date.isoformat() == "2013-03-05"
    assert invoice.due_date is not None and invoice.due_date.isoformat() == "2013-04-04"
    assert (invoice.subtotal_minor, invoice.tax_total_minor, invoice.total_minor) == (
        47300,
        5687,
        52987,
    )
    [line] = invoice.line_items
    assert line.description == "Trennblaetter, A4"
    assert (line.quantity, line.unit_price_minor, line.line_total_minor) == (
        Decimal("20.0000"),
        990,
        19800,
    )
    assert line.tax_rate == Decimal("19.00")


def test_render_text_lists_the_key_fields() -> None:
    text = render_text(parse_einvoice(ZUGFERD1))
    assert "Invoice number: 471102" in text
    assert "Total: 529.87" in text
    assert "Trennblaetter, A4 | qty 20.0000 | unit 9.90 | total 198.00 VAT 19.00%" in text


@pytest.mark.parametrize(
    "xml, message",
    [
        (hostile_inputs.XXE_FILE, "DOCTYPE"),
        (hostile_inputs.BILLION_LAUGHS, "DOCTYPE|well-formed"),
        (hostile_inputs.MALFORMED_XML, "not well-formed"),
        (b"<order><id>1</id></order>", "not a UBL or CII invoice"),
    ],
    ids=["xxe", "billion-laughs", "malformed", "not-an-invoice"],
)
def test_unsafe_or_foreign_xml_is_refused(xml: bytes, message: str) -> None:
    with pytest.raises(EInvoiceError, match=message):
        parse_einvoice(xml)


def _pdf_with_attachment(name: str, payload: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(hostile_inputs.text_pdf()))
    writer.add_attachment(name, payload)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_attached_xml_is_found_under_any_standard_name() -> None:
    pdf = _pdf_with_attachment("xrechnung.xml", ZUGFERD1)
    assert "xrechnung.xml" in PdfReader(io.BytesIO(pdf)).attachments
    assert extract_embedded_xml(pdf) == ("CII", ZUGFERD1)


def test_attached_xml_that_is_not_an_invoice_is_ignored() -> None:
    assert extract_embedded_xml(_pdf_with_attachment("factur-x.xml", b"<broken")) is None
    assert (
        extract_embedded_xml(_pdf_with_attachment("factur-x.xml", hostile_inputs.XXE_FILE)) is None
    )
