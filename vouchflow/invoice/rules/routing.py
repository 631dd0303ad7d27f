"""Where an assessed invoice goes: auto-draft, human review, flag, or reject as input.

Order matters: a document that is not an invoice is rejected outright; a
duplicate or an unsupported currency is flagged (never drafted, even after
review); anything that cannot be proven safe goes to review. Every reason that
applies is listed, not only the first, so a reviewer sees the whole picture.

Never auto-drafted, whatever the confidence: a credit note, a total of zero or below,
any validation error (an amount outside the sanity cap or 64 bits, an implausible
date, invisible characters in a key field), and any problem the extractor reported
(errors and warnings alike: truncated text, a fallback after a failed structured read,
an e-invoice that disagrees with its page, a PDF carrying text a person cannot see,
whose reason is listed first). An amount out of range goes to review, not to
reject_input: it is far more often a misread or altered figure on a real invoice than a
document that is not an invoice, and a person can correct it.
"""

from __future__ import annotations

from schemas.common.money import format_minor
from schemas.invoice.assessment import Confidence, Finding, RouteDecision
from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.invoice import Invoice
from vouchflow.invoice.rules.confidence import KEY_FIELDS, is_known_supplier
from vouchflow.invoice.rules.hidden_text import HIDDEN_TEXT_CODE
from vouchflow.invoice.rules.sections import PolicySections

FLAG_CODES: frozenset[str] = frozenset(
    {"duplicate.same_supplier_and_number", "duplicate.same_document", "currency.unsupported"}
)


def decide_route(
    invoice: Invoice,
    findings: list[Finding],
    confidence: Confidence,
    extraction: ExtractionResult,
    *,
    settings: PolicySections,
    learned_supplier: str | None = None,
) -> RouteDecision:
    minimum = settings.extraction.min_invoice_likelihood
    if extraction.invoice_likelihood < minimum:
        return RouteDecision(
            route="reject_input",
            reasons=[
                f"the document does not look like an invoice (likelihood"
                f" {extraction.invoice_likelihood:.2f}, below {minimum:.2f})"
            ],
        )
    flag_reasons = [f.message for f in findings if f.code in FLAG_CODES]
    review_reasons = _review_reasons(
        invoice, findings, confidence, extraction, settings, learned_supplier
    )
    if flag_reasons:
        return RouteDecision(route="flag", reasons=flag_reasons + review_reasons)
    if review_reasons:
        return RouteDecision(route="review", reasons=review_reasons)
    return RouteDecision(
        route="auto_draft",
        reasons=[
            f"all checks passed, confidence {confidence.score} >="
            f" {settings.confidence.auto_draft_min_score}, known supplier, total within the"
            " auto-draft limit"
        ],
    )


def _review_reasons(
    invoice: Invoice,
    findings: list[Finding],
    confidence: Confidence,
    extraction: ExtractionResult,
    settings: PolicySections,
    learned_supplier: str | None = None,
) -> list[str]:
    # Text a person cannot see comes first: the page the reviewer looks at is not all
    # the document says.
    reasons = [f.message for f in findings if f.code == HIDDEN_TEXT_CODE]
    reasons += [
        f"validation error: {f.message}"
        for f in findings
        if f.severity == "error" and f.code not in FLAG_CODES and f.code != HIDDEN_TEXT_CODE
    ]
    if extraction.injection_flags:
        reasons.append(
            "the document contains instruction-like text (possible prompt injection): "
            + "; ".join(extraction.injection_flags)
        )
    if extraction.failed_closed:
        why = extraction.failure_reason or "no reason recorded"
        reasons.append(f"the extractor produced no valid result ({why})")
    problem_codes = {p.code for p in extraction.problems} - {HIDDEN_TEXT_CODE}
    reasons += [
        f"extraction problem: {f.message}"
        for f in findings
        if f.severity != "error" and f.code in problem_codes
    ]
    if extraction.text_truncated:
        reasons.append("the document text was cut at the size limit, so fields may be missing")
    reasons += _sign_reasons(invoice)
    reasons += _structured_source_conflicts(extraction)
    known = learned_supplier is not None or is_known_supplier(invoice.supplier_name, settings)
    reasons += _uncertain_fields(extraction, settings, supplier_known=known)
    minimum = settings.confidence.auto_draft_min_score
    if confidence.score < minimum:
        reasons.append(f"confidence {confidence.score} is below the auto-draft minimum {minimum}")
    reasons += _limit_reasons(invoice, settings)
    # A supplier with a learned template (recognised by VAT id, IBAN or name) is known:
    # the static list is only where automation starts.
    if learned_supplier is None and not is_known_supplier(invoice.supplier_name, settings):
        name = invoice.supplier_name or "(missing)"
        reasons.append(f"supplier {name!r} is not a known supplier")
    return reasons


def _uncertain_fields(
    extraction: ExtractionResult, settings: PolicySections, *, supplier_known: bool
) -> list[str]:
    """Key fields the extractor was not sure of: a person confirms them. The e-invoice XML
    is exact by construction; a reviewer's correction is certain by definition; a supplier
    name that matches a known supplier exactly is confirmed by that match."""
    floor = settings.confidence.min_field_certainty
    if extraction.extractor.kind == "einvoice":
        return []
    weak = []
    for field in KEY_FIELDS:
        if field == "supplier_name" and supplier_known:
            continue
        certainty = extraction.certainty_of(field)
        if certainty is not None and certainty < floor:
            weak.append(f"{field} ({certainty:.2f})")
    if not weak:
        return []
    return [f"read without enough certainty (below {floor:.2f}): {', '.join(weak)}"]


# Fields where an embedded e-invoice and the visible page must agree (real files differ).
_MUST_AGREE = ("total_minor", "invoice_number")


def _structured_source_conflicts(extraction: ExtractionResult) -> list[str]:
    """The e-invoice XML and the visible text disagree: a human must see both values."""
    if extraction.extractor.kind != "einvoice" or extraction.cross_check_invoice is None:
        return []
    reasons = []
    for field in _MUST_AGREE:
        if field not in extraction.disagreeing_fields:
            continue
        xml_value = getattr(extraction.invoice, field)
        text_value = getattr(extraction.cross_check_invoice, field)
        currency = extraction.invoice.currency
        if field.endswith("_minor") and currency:
            xml_value, text_value = (
                format_minor(xml_value, currency),
                format_minor(text_value, currency),
            )
        reasons.append(
            f"the embedded e-invoice XML and the visible text disagree on {field}: "
            f"XML says {xml_value}, the page says {text_value}"
        )
    return reasons


def _sign_reasons(invoice: Invoice) -> list[str]:
    if invoice.document_type == "credit_note":
        return ["the document is a credit note: credit notes are never drafted automatically"]
    total = invoice.total_minor
    if total is not None and total <= 0:
        what = "zero" if total == 0 else "negative"
        return [f"the total is {what}: only a positive total can be drafted automatically"]
    return []


def _limit_reasons(invoice: Invoice, settings: PolicySections) -> list[str]:
    currency, total = invoice.currency, invoice.total_minor
    if currency is None or total is None:
        return ["the total or currency is missing, so the auto-draft limit cannot be checked"]
    limit = settings.routing.auto_draft_limit_minor.get(currency)
    if limit is None:
        return [f"no auto-draft limit is configured for {currency}"]
    if total > limit:
        return [
            f"total {format_minor(total, currency)} is above the auto-draft limit"
            f" {format_minor(limit, currency)}"
        ]
    return []
