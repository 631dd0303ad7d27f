"""Structured e-invoices: read CII (Factur-X / ZUGFeRD 1 and 2 / XRechnung) and UBL 2.1 exactly.

When a supplier sends machine-readable XML there is nothing to guess: every field is
read from a known path, amounts are converted with Decimal, and each value carries the
XML path it came from as evidence (certainty 1.0, no model, no tokens).

Paths match on local element names, so the CII namespaces of ZUGFeRD 1
(``urn:ferd:CrossIndustryDocument:invoice:1p0``) and of Factur-X/ZUGFeRD 2/XRechnung
(``...:CrossIndustryInvoice:100``) share one reader where their element names agree.

Conventions (the corpus ground truth follows them too): ``unit_price_minor`` is the net
price per one unit, and null when the price is stated per a basis quantity other than 1
or is not a whole number of minor units; ``subtotal_minor`` is the tax basis after
document-level allowances and charges; ``total_minor`` is the gross total before any
prepaid amount.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from lxml import etree
from pypdf import PdfReader

from schemas.common.money import exponent
from schemas.invoice.extraction import (
    ExtractionProblem,
    ExtractionResult,
    ExtractorInfo,
    FieldEvidence,
)
from schemas.invoice.invoice import HEADER_FIELDS, DocumentType, Invoice, LineItem
from vouchflow.documents.pdf_limits import pypdf_limits
from vouchflow.invoice.extraction.problems import (
    bounded_minor,
    bounded_quantity,
    bounded_rate,
    checked_iso_date,
    decimal_to_minor,
    negative_credit_note,
    problem,
)

EInvoiceFormat = Literal["CII", "UBL"]

# Attachment names the standards (and common producers) use for the invoice XML.
EMBEDDED_XML_NAMES: tuple[str, ...] = (
    "factur-x.xml",
    "zugferd-invoice.xml",
    "xrechnung.xml",
    "ZUGFeRD-invoice.xml",
    "UBL-Invoice-2.1.xml",
)
# An embedded XML larger than this is not an invoice we will parse. Generous: an
# e-invoice with tens of thousands of lines is real (utility and telecom bills).
MAX_XML_BYTES = 32_000_000

# UNTDID 1001 document types that credit rather than bill (the EN 16931 credit-note
# subset): 381 credit note, 81/83 credit notes for goods/financial adjustments, 261
# self-billed, 262 consolidated, 296 "credit note related to self-billed", 308
# delcredere, 396 factored, 420 optical character reading, 458 reverse factoring,
# 532 forwarder's credit note.
CREDIT_NOTE_TYPE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)

UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_CII_ROOTS = {"CrossIndustryInvoice", "CrossIndustryDocument"}


class EInvoiceError(ValueError):
    """The XML is not a well-formed UBL or CII invoice we can read."""


def secure_parser() -> etree.XMLParser:
    """XXE-safe: no entity expansion, no DTD loading, no network, no huge-tree mode."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(xml: bytes) -> etree._Element:
    if len(xml) > MAX_XML_BYTES:
        raise EInvoiceError(f"XML is {len(xml):,} bytes, above the {MAX_XML_BYTES:,}-byte limit")
    try:
        root = etree.fromstring(xml, parser=secure_parser())
    except etree.XMLSyntaxError as exc:
        raise EInvoiceError(f"XML is not well-formed: {exc}") from None
    if root is None:
        raise EInvoiceError("XML has no root element")
    # A DOCTYPE may declare entities; even unexpanded they have no place in an invoice.
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.system_url or docinfo.public_id:
        raise EInvoiceError("XML declares a DOCTYPE (entities are not allowed in e-invoices)")
    return root


def detect_format(root: etree._Element) -> EInvoiceFormat | None:
    qname = etree.QName(root)
    if qname.localname in _CII_ROOTS:
        return "CII"
    if qname.namespace in (UBL_INVOICE_NS, UBL_CREDIT_NOTE_NS):
        return "UBL"
    return None


def sniff_einvoice(xml: bytes) -> EInvoiceFormat | None:
    """The format of ``xml`` if it is a well-formed, entity-free UBL/CII invoice."""
    try:
        return detect_format(parse_xml(xml))
    except EInvoiceError:
        return None


def extract_embedded_xml(pdf_bytes: bytes) -> tuple[str, bytes] | None:
    """(format, xml) of an e-invoice attached to a PDF (Factur-X/ZUGFeRD/XRechnung/UBL)."""
    with pypdf_limits(2 * MAX_XML_BYTES):
        try:
            reader = PdfReader(io.BytesIO(pdf_bytes))
            if reader.is_encrypted and not reader.decrypt(""):
                return None
            return pick_embedded_xml(reader.attachments)
        except Exception:
            # A PDF we cannot open has no attachment we could trust; the reader says why.
            return None


def pick_embedded_xml(attachments: Mapping[str, list[bytes]]) -> tuple[str, bytes] | None:
    """Choose the invoice XML among a PDF's attachments (name -> list of payloads).

    pypdf decodes an attachment only when it is looked up, so names are filtered first
    and non-XML attachments are never decompressed.
    """
    return pick_embedded_xml_or_error(attachments)[0]


def pick_embedded_xml_or_error(
    attachments: Mapping[str, list[bytes]],
) -> tuple[tuple[str, bytes] | None, str | None]:
    """(format, xml) of the invoice XML, or None and why an attachment under one of the
    standard e-invoice names (factur-x.xml, ...) could not be used: a PDF that carries
    its invoice as XML but whose XML is broken must not pass silently to text rules."""
    preferred = {name.lower() for name in EMBEDDED_XML_NAMES}
    names = sorted(attachments, key=lambda n: (str(n).lower() not in preferred, str(n)))
    error: str | None = None
    for name in names:
        if not str(name).lower().endswith(".xml"):
            continue
        standard = str(name).lower() in preferred
        try:
            payloads = attachments[name]
        except Exception as exc:
            # A broken or oversized attachment is skipped; the PDF text is still read.
            if standard and error is None:
                error = f"attachment {name} could not be read: {type(exc).__name__}"
            continue
        for payload in payloads:
            if not isinstance(payload, bytes):
                continue
            if len(payload) > MAX_XML_BYTES:
                if standard and error is None:
                    error = (
                        f"attachment {name} is {len(payload):,} bytes, above the "
                        f"{MAX_XML_BYTES:,}-byte limit"
                    )
                continue
            try:
                fmt = detect_format(parse_xml(payload))
            except EInvoiceError as exc:
                if standard and error is None:
                    error = f"attachment {name}: {exc}"
                continue
            if fmt is not None:
                return (fmt, payload), None
            if standard and error is None:
                error = f"attachment {name} is not a UBL or CII invoice"
    return None, error


# --- reading values -------------------------------------------------------------------


def _xp(path: str) -> str:
    """'A/B/C' -> a namespace-agnostic XPath on local names ('..' and '.' kept)."""
    steps = []
    for step in path.split("/"):
        if step in ("", ".", "..") or step.startswith("@"):
            steps.append(step)
        else:
            steps.append(f"*[local-name()='{step}']")
    return "/".join(steps)


@functools.lru_cache(maxsize=1024)
def _compiled(path: str) -> etree.XPath:
    return etree.XPath(_xp(path))


def _step(node: etree._Element) -> str:
    local = str(node.tag).rsplit("}", 1)[-1]
    return f"{node.prefix}:{local}" if node.prefix else local


class _Reader:
    """Finds values by local-name paths and records where each came from.

    Linear in the number of lines: XPath expressions are compiled once, and a line's
    evidence path is built from the line's position instead of lxml's ``getpath``
    (which counts siblings, quadratic over tens of thousands of lines)."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.tree = root.getroottree()
        self.evidence: list[FieldEvidence] = []
        self.problems: list[ExtractionProblem] = []
        self._anchors: dict[etree._Element, str] = {}

    def anchor_lines(self, items: list[etree._Element]) -> None:
        """Remember each line element's path (``.../Line[n]``) for its evidence."""
        parents: dict[etree._Element, str] = {}
        counts: dict[tuple[etree._Element, str], int] = {}
        for item in items:
            parent = item.getparent()
            if parent is None:
                continue
            if parent not in parents:
                parents[parent] = self.tree.getpath(parent)
            key = (parent, _step(item))
            counts[key] = counts.get(key, 0) + 1
            self._anchors[item] = f"{parents[parent]}/{key[1]}[{counts[key]}]"

    def path(self, node: etree._Element) -> str:
        steps: list[str] = []
        current: etree._Element | None = node
        while current is not None:
            anchor = self._anchors.get(current)
            if anchor is not None:
                return "/".join([anchor, *reversed(steps)])
            steps.append(_step(current))
            current = current.getparent()
        return self.tree.getpath(node)

    def nodes(self, context: etree._Element, path: str) -> list[etree._Element]:
        found = _compiled(path)(context)
        return (
            [n for n in found if isinstance(n, etree._Element)] if isinstance(found, list) else []
        )

    def first(self, context: etree._Element, *paths: str) -> etree._Element | None:
        for path in paths:
            for node in self.nodes(context, path):
                if (node.text or "").strip():
                    return node
        return None

    def text(
        self, context: etree._Element, *paths: str
    ) -> tuple[str | None, etree._Element | None]:
        node = self.first(context, *paths)
        if node is None:
            return None, None
        return " ".join((node.text or "").split()), node

    def record(self, field: str, value: object, node: etree._Element | None) -> None:
        if node is None or value is None:
            return
        self.evidence.append(
            FieldEvidence(
                field=field,
                value=str(value),
                source_text=f"{self.path(node)} = {(node.text or '').strip()}",
                certainty=1.0,
            )
        )


def _decimal(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _amount(r: _Reader, raw: str | None, field: str) -> Decimal | None:
    """A decimal amount, or None plus an ``amount.unreadable`` problem when the XML
    holds something that is not a number ("1,000.00", "NaN", "12 EUR")."""
    value = _decimal(raw)
    if value is None and raw is not None and raw.strip():
        r.problems.append(
            problem(
                "amount.unreadable",
                field,
                f"{field}: the XML amount is not a decimal number; left empty",
                raw,
            )
        )
    return value


def _minor(r: _Reader, raw: str | None, currency: str | None, field: str) -> int | None:
    if currency is None:
        return None
    return bounded_minor(_amount(r, raw, field), currency, field, raw, r.problems)


def _exact_unit_price_minor(
    r: _Reader,
    raw: str | None,
    basis: Decimal | None,
    currency: str | None,
    field: str,
) -> int | None:
    if currency is None:
        return None
    price = _amount(r, raw, field)
    if price is None:
        return None
    if decimal_to_minor(price, currency) is None:
        return bounded_minor(price, currency, field, raw, r.problems)
    if basis is not None and basis != 1:
        return None
    scaled = price.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def _line(r: _Reader, index: int, currency: str | None, raw: Mapping[str, str | None]) -> LineItem:
    where = f"line_items[{index}]"
    quantity, price, rate = raw["quantity"], raw["unit_price_minor"], raw["tax_rate"]
    return LineItem(
        description=raw["description"] or "",
        quantity=bounded_quantity(_decimal(quantity), f"{where}.quantity", quantity, r.problems),
        unit_price_minor=_exact_unit_price_minor(
            r, price, _decimal(raw["basis"]), currency, f"{where}.unit_price_minor"
        ),
        tax_rate=bounded_rate(_decimal(rate), f"{where}.tax_rate", rate, r.problems),
        line_total_minor=_minor(r, raw["line_total_minor"], currency, f"{where}.line_total_minor"),
    )


def _document_type(type_code: str | None, *, credit_root: bool) -> DocumentType:
    if credit_root or (type_code or "").strip() in CREDIT_NOTE_TYPE_CODES:
        return "credit_note"
    return "invoice"


# --- what both formats share ------------------------------------------------------------

Found = tuple[Any, etree._Element | None]  # a value and the XML node it was read from
# The header fields both formats read, in the order their evidence is recorded.
_HEADER_FIELDS = (
    *HEADER_FIELDS,
    "allowance_total_minor",
    "charge_total_minor",
    "supplier_vat_id",
    "buyer_name",
    "document_type",
)
# What a line reader finds: each LineItem field's text and node, and the price's "basis"
# (the quantity the price is for); None when the element is not a line.
LineFound = dict[str, tuple[str | None, etree._Element | None]]
LineReader = Callable[[_Reader, etree._Element], LineFound | None]


def _totals(
    r: _Reader, currency: str | None, candidates: Mapping[str, list[etree._Element]]
) -> dict[str, Found]:
    """Each document total in minor units. A total may be stated twice (TaxTotalAmount:
    in the invoice's and in the accounting currency): the invoice's currency wins, else
    the first one stated."""
    found: dict[str, Found] = {}
    for field, nodes in candidates.items():
        stated = [n for n in nodes if (n.text or "").strip()]
        chosen = next(
            (n for n in stated if n.get("currencyID") in (None, currency)),
            stated[0] if stated else None,
        )
        found[field] = (
            (None, None) if chosen is None else (_minor(r, chosen.text, currency, field), chosen)
        )
    return found


def _read_lines(
    r: _Reader, items: list[etree._Element], currency: str | None, read: LineReader
) -> list[LineItem]:
    """Every line element that is a line, numbered in that order, with its evidence."""
    r.anchor_lines(items)
    lines: list[LineItem] = []
    for item in items:
        found = read(r, item)
        if found is None:
            continue
        index = len(lines)
        line = _line(r, index, currency, {name: text for name, (text, _) in found.items()})
        lines.append(line)
        for field, (_, node) in found.items():
            if field in LineItem.model_fields:
                r.record(f"line_items[{index}].{field}", getattr(line, field), node)
    return lines


def _header_invoice(r: _Reader, lines: list[LineItem], found: Mapping[str, Found]) -> Invoice:
    """Build the invoice from each header field's (value, XML node) and record its
    evidence: dates become checked ISO dates, and no allowance or charge total means none."""
    fields: dict[str, Found] = {}
    for name in _HEADER_FIELDS:
        value, node = found[name]
        if name in ("issue_date", "due_date"):
            value = checked_iso_date(value, name, r.problems)
        elif name in ("allowance_total_minor", "charge_total_minor"):
            value = value or 0
        fields[name] = (value, node)
    invoice = Invoice(line_items=lines, **{name: value for name, (value, _) in fields.items()})
    for name, (_, node) in fields.items():
        r.record(name, getattr(invoice, name), node)
    return invoice


# --- CII ---------------------------------------------------------------------------------

_CII_DOC = ("ExchangedDocument", "HeaderExchangedDocument")
_CII_TXN = ("SupplyChainTradeTransaction", "SpecifiedSupplyChainTradeTransaction")
_CII_AGREEMENT = ("ApplicableHeaderTradeAgreement", "ApplicableSupplyChainTradeAgreement")
_CII_SETTLEMENT = ("ApplicableHeaderTradeSettlement", "ApplicableSupplyChainTradeSettlement")
_CII_SUMMATION = (
    "SpecifiedTradeSettlementHeaderMonetarySummation",
    "SpecifiedTradeSettlementMonetarySummation",
)


def _paths(prefixes: tuple[str, ...], *rest: tuple[str, ...] | str) -> list[str]:
    """Every combination of alternative steps, joined as paths."""
    out = list(prefixes)
    for step in rest:
        options = (step,) if isinstance(step, str) else step
        out = [f"{base}/{opt}" for base in out for opt in options]
    return out


def _parse_cii(r: _Reader) -> tuple[Invoice, list[str]]:
    root = r.root
    notes: list[str] = []
    txn = _paths(_CII_TXN)
    agreement = _paths(_CII_TXN, _CII_AGREEMENT)
    settlement = _paths(_CII_TXN, _CII_SETTLEMENT)
    summation = _paths(_CII_TXN, _CII_SETTLEMENT, _CII_SUMMATION)

    found: dict[str, Found] = {
        "invoice_number": r.text(root, *_paths(_CII_DOC, "ID")),
        "issue_date": r.text(root, *_paths(_CII_DOC, "IssueDateTime", "DateTimeString")),
        "currency": r.text(root, *_paths(tuple(settlement), "InvoiceCurrencyCode")),
        "supplier_name": r.text(root, *_paths(tuple(agreement), "SellerTradeParty", "Name")),
        "buyer_name": r.text(root, *_paths(tuple(agreement), "BuyerTradeParty", "Name")),
        "due_date": r.text(
            root,
            *_paths(
                tuple(settlement), "SpecifiedTradePaymentTerms", "DueDateDateTime", "DateTimeString"
            ),
        ),
    }
    vat_node = None
    registrations = [
        n
        for p in agreement
        for n in r.nodes(root, f"{p}/SellerTradeParty/SpecifiedTaxRegistration/ID")
    ]
    for node in registrations:
        # schemeID VA is the VAT number; FC (a national tax number) is not.
        if node.get("schemeID") == "VA" and (node.text or "").strip():
            vat_node = node
            break
    vat_id = " ".join((vat_node.text or "").split()) if vat_node is not None else None
    found["supplier_vat_id"] = (vat_id, vat_node)

    currency = found["currency"][0]

    def stated(name: str) -> list[etree._Element]:
        return [n for p in summation for n in r.nodes(root, f"{p}/{name}")]

    found |= _totals(
        r,
        currency,
        {
            "subtotal_minor": stated("TaxBasisTotalAmount"),
            "tax_total_minor": stated("TaxTotalAmount"),
            "total_minor": stated("GrandTotalAmount"),
            "allowance_total_minor": stated("AllowanceTotalAmount"),
            "charge_total_minor": stated("ChargeTotalAmount"),
        },
    )
    type_code, _ = r.text(root, *_paths(_CII_DOC, "TypeCode"))
    found["document_type"] = (_document_type(type_code, credit_root=False), None)

    items = r.nodes(root, f"{txn[0]}/IncludedSupplyChainTradeLineItem") + r.nodes(
        root, f"{txn[1]}/IncludedSupplyChainTradeLineItem"
    )
    lines = _read_lines(r, items, currency, _cii_line)
    invoice = _header_invoice(r, lines, found)
    if not lines:
        notes.append("the XML carries no line items (e.g. MINIMUM / BASIC WL profile)")
    return invoice, notes


def _cii_line(r: _Reader, item: etree._Element) -> LineFound | None:
    agreement = ("SpecifiedLineTradeAgreement", "SpecifiedSupplyChainTradeAgreement")
    delivery = ("SpecifiedLineTradeDelivery", "SpecifiedSupplyChainTradeDelivery")
    settlement = ("SpecifiedLineTradeSettlement", "SpecifiedSupplyChainTradeSettlement")
    summation = (
        "SpecifiedTradeSettlementLineMonetarySummation",
        "SpecifiedTradeSettlementMonetarySummation",
    )
    found: LineFound = {
        "description": r.text(
            item, "SpecifiedTradeProduct/Name", "SpecifiedTradeProduct/Description"
        ),
        "quantity": r.text(item, *_paths(delivery, "BilledQuantity")),
        "unit_price_minor": r.text(
            item, *_paths(agreement, "NetPriceProductTradePrice", "ChargeAmount")
        ),
        "basis": r.text(item, *_paths(agreement, "NetPriceProductTradePrice", "BasisQuantity")),
        "tax_rate": r.text(
            item,
            *_paths(settlement, "ApplicableTradeTax", "RateApplicablePercent"),
            *_paths(settlement, "ApplicableTradeTax", "ApplicablePercent"),
        ),
        "line_total_minor": r.text(item, *_paths(settlement, summation, "LineTotalAmount")),
    }
    # A trade line item with neither a name nor a total is not a line of the invoice.
    if found["description"][0] is None and found["line_total_minor"][0] is None:
        return None
    return found


# --- UBL ---------------------------------------------------------------------------------


def _parse_ubl(r: _Reader) -> tuple[Invoice, list[str]]:
    root = r.root
    notes: list[str] = []
    found: dict[str, Found] = {
        "invoice_number": r.text(root, "ID"),
        "issue_date": r.text(root, "IssueDate"),
        "due_date": r.text(root, "DueDate", "PaymentMeans/PaymentDueDate"),
        "currency": r.text(root, "DocumentCurrencyCode"),
        "supplier_name": r.text(
            root,
            "AccountingSupplierParty/Party/PartyName/Name",
            "AccountingSupplierParty/Party/PartyLegalEntity/RegistrationName",
        ),
        "buyer_name": r.text(
            root,
            "AccountingCustomerParty/Party/PartyName/Name",
            "AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName",
        ),
        "supplier_vat_id": r.text(root, "AccountingSupplierParty/Party/PartyTaxScheme/CompanyID"),
    }
    currency = found["currency"][0]
    found |= _totals(
        r,
        currency,
        {
            "subtotal_minor": r.nodes(root, "LegalMonetaryTotal/TaxExclusiveAmount"),
            "tax_total_minor": r.nodes(root, "TaxTotal/TaxAmount"),
            "total_minor": r.nodes(root, "LegalMonetaryTotal/TaxInclusiveAmount"),
            "allowance_total_minor": r.nodes(root, "LegalMonetaryTotal/AllowanceTotalAmount"),
            "charge_total_minor": r.nodes(root, "LegalMonetaryTotal/ChargeTotalAmount"),
        },
    )
    type_code, _ = r.text(root, "InvoiceTypeCode", "CreditNoteTypeCode")
    credit_root = etree.QName(root).namespace == UBL_CREDIT_NOTE_NS
    found["document_type"] = (_document_type(type_code, credit_root=credit_root), None)

    items = r.nodes(root, "InvoiceLine") + r.nodes(root, "CreditNoteLine")
    invoice = _header_invoice(r, _read_lines(r, items, currency, _ubl_line), found)
    if credit_root:
        notes.append("the document is a UBL CreditNote, not an Invoice")
    return invoice, notes


def _ubl_line(r: _Reader, item: etree._Element) -> LineFound:
    return {
        "description": r.text(item, "Item/Name", "Item/Description"),
        "quantity": r.text(item, "InvoicedQuantity", "CreditedQuantity"),
        "unit_price_minor": r.text(item, "Price/PriceAmount"),
        "basis": r.text(item, "Price/BaseQuantity"),
        "tax_rate": r.text(item, "Item/ClassifiedTaxCategory/Percent"),
        "line_total_minor": r.text(item, "LineExtensionAmount"),
    }


def parse_einvoice(xml: bytes) -> ExtractionResult:
    """Read a UBL 2.1 or CII invoice exactly. Raises :class:`EInvoiceError` if it is neither."""
    root = parse_xml(xml)
    fmt = detect_format(root)
    if fmt is None:
        raise EInvoiceError(f"XML root <{etree.QName(root).localname}> is not a UBL or CII invoice")
    reader = _Reader(root)
    invoice, notes = _parse_cii(reader) if fmt == "CII" else _parse_ubl(reader)
    # The standards define the sign: a credit note states credited amounts as positive,
    # so a negative one is kept as stated (it charges rather than credits) and reported.
    odd_sign = negative_credit_note(invoice)
    return ExtractionResult(
        invoice=invoice,
        evidence=reader.evidence,
        extractor=ExtractorInfo(kind="einvoice", name=f"embedded e-invoice XML ({fmt})"),
        invoice_likelihood=1.0,
        notes=notes,
        problems=reader.problems + ([odd_sign] if odd_sign else []),
    )


def render_text(result: ExtractionResult) -> str:
    """A plain-text rendering of an e-invoice, for humans and for text-based extractors."""
    inv = result.invoice
    rows = [
        ("Supplier", inv.supplier_name),
        ("Supplier VAT ID", inv.supplier_vat_id),
        ("Buyer", inv.buyer_name),
        ("Invoice number", inv.invoice_number),
        ("Issue date", inv.issue_date.isoformat() if inv.issue_date else None),
        ("Due date", inv.due_date.isoformat() if inv.due_date else None),
        ("Currency", inv.currency),
    ]
    out = [f"{label}: {value}" for label, value in rows if value]
    currency = inv.currency or ""

    def money(minor: int | None) -> str:
        if minor is None:
            return "-"
        exp = exponent(currency)
        return f"{Decimal(minor).scaleb(-exp):.{exp}f}"

    if inv.line_items:
        out.append("Lines:")
        for item in inv.line_items:
            rate = f" VAT {item.tax_rate}%" if item.tax_rate is not None else ""
            qty = item.quantity if item.quantity is not None else "-"
            unit, total = money(item.unit_price_minor), money(item.line_total_minor)
            out.append(f"  {item.description} | qty {qty} | unit {unit} | total {total}{rate}")
    if inv.allowance_total_minor:
        out.append(f"Allowances: {money(inv.allowance_total_minor)}")
    if inv.charge_total_minor:
        out.append(f"Charges: {money(inv.charge_total_minor)}")
    out.append(f"Subtotal: {money(inv.subtotal_minor)}")
    out.append(f"Tax total: {money(inv.tax_total_minor)}")
    out.append(f"Total: {money(inv.total_minor)}")
    return "\n".join(out) + "\n"
