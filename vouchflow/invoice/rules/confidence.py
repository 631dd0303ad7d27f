"""Confidence 0-100 from named, recorded signals.

Formula::

    score = round_half_up(100 * sum(w_i * v_i) / sum(w_i))

over the signals present, where each value v_i is in 0..1 (1 = fully reassuring)
and each weight w_i comes from ``[confidence.weights]`` in vouchflow.toml (the
defaults in ``DEFAULT_WEIGHTS`` apply to a signal the file does not name).

Always present:
    extractor_certainty  mean evidence certainty of the key fields (no evidence = 0)
    required_fields      share of required fields present
    arithmetic           1 no arithmetic findings, 0.6 warnings only, 0 any error
    totals_agree         share of subtotal/tax/total the extractor got right
                         (compared with the recomputed invoice)
    dates                1 fine, 0.6 warnings, 0 errors or no issue date
    tax_rates            1 fine (or no rates to check), 0.5 rates not configured, 0 a bad rate
    known_supplier       1 when the supplier is in routing.known_suppliers (case-insensitive)
                         or has a learned supplier template (the caller says so)
    text_quality         pdf_text/plain_text/einvoice_xml 1.0, ocr 0.6, none 0;
                         halved when the text was truncated
Present only when they apply:
    extractor_agreement  the model-vs-rules cross-check agreement (0..1)
    structured_source    1.0 for an embedded e-invoice (structured data, not read from text)
    provider_fallback    0.5 when the notes record a fallback to another provider
    injection            0 when instruction-like text was flagged in the document
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from schemas.invoice.assessment import Confidence, Finding, Signal
from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.invoice import Invoice
from vouchflow.invoice.rules.identifiers import normalise_identifier
from vouchflow.invoice.rules.sections import PolicySections

KEY_FIELDS: tuple[str, ...] = (
    "supplier_name",
    "invoice_number",
    "issue_date",
    "currency",
    "total_minor",
)
REQUIRED_FIELDS: tuple[str, ...] = KEY_FIELDS
TOTAL_FIELDS: tuple[str, ...] = ("subtotal_minor", "tax_total_minor", "total_minor")

DEFAULT_WEIGHTS: dict[str, float] = {
    "extractor_certainty": 3.0,
    "required_fields": 3.0,
    "arithmetic": 3.0,
    "totals_agree": 2.0,
    "dates": 1.0,
    "tax_rates": 1.0,
    "known_supplier": 1.0,
    "text_quality": 1.0,
    "extractor_agreement": 2.0,
    "structured_source": 1.0,
    "provider_fallback": 1.0,
    "injection": 3.0,
}

TEXT_QUALITY: dict[str, float] = {
    "pdf_text": 1.0,
    "plain_text": 1.0,
    "einvoice_xml": 1.0,
    "ocr": 0.6,
    "none": 0.0,
}


def normalise_name(name: str) -> str:
    """Supplier names compare by the duplicate-key normal form (see policy.identifiers)."""
    return normalise_identifier(name) or ""


def is_known_supplier(name: str | None, settings: PolicySections) -> bool:
    key = normalise_name(name) if name else ""
    if not key:
        return False
    return key in {normalise_name(s) for s in settings.routing.known_suppliers}


def score_confidence(
    extraction: ExtractionResult,
    invoice: Invoice,
    findings: list[Finding],
    *,
    settings: PolicySections,
    text_method: str,
    learned_supplier: str | None = None,
) -> Confidence:
    weights = {**DEFAULT_WEIGHTS, **settings.confidence.weights}

    def signal(name: str, value: float, detail: str) -> Signal:
        return Signal(
            name=name, value=min(1.0, max(0.0, value)), weight=weights[name], detail=detail
        )

    signals = [
        signal("extractor_certainty", *_extractor_certainty(extraction)),
        signal("required_fields", *_required_fields(invoice)),
        signal("arithmetic", *_by_findings(findings, "arithmetic.", "arithmetic")),
        signal("totals_agree", *_totals_agree(extraction.invoice, invoice)),
        signal("dates", *_dates(invoice, findings)),
        signal("tax_rates", *_tax_rates(findings)),
        signal("known_supplier", *_known_supplier(invoice, settings, learned_supplier)),
        signal("text_quality", *_text_quality(text_method, extraction.text_truncated)),
    ]
    if extraction.agreement is not None:
        disagreeing = ", ".join(extraction.disagreeing_fields) or "none"
        signals.append(
            signal(
                "extractor_agreement",
                extraction.agreement,
                f"model and rules extractor agree on {extraction.agreement:.0%} of fields;"
                f" disagreeing: {disagreeing}",
            )
        )
    if text_method == "einvoice_xml" or extraction.extractor.kind == "einvoice":
        signals.append(
            signal("structured_source", 1.0, "read from an embedded structured e-invoice")
        )
    fallback_notes = [n for n in extraction.notes if "fallback" in n.casefold()]
    if fallback_notes:
        signals.append(signal("provider_fallback", 0.5, "; ".join(fallback_notes)))
    if extraction.injection_flags:
        signals.append(
            signal(
                "injection",
                0.0,
                "instruction-like text in the document: " + "; ".join(extraction.injection_flags),
            )
        )
    return Confidence(score=_score(signals), signals=signals)


def _score(signals: list[Signal]) -> int:
    total_weight = sum(s.weight for s in signals)
    if total_weight <= 0:
        return 0
    weighted = sum(Decimal(str(s.weight)) * Decimal(str(s.value)) for s in signals)
    ratio = weighted * 100 / Decimal(str(total_weight))
    return max(0, min(100, int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))))


def _extractor_certainty(extraction: ExtractionResult) -> tuple[float, str]:
    values: list[float] = []
    missing: list[str] = []
    for name in KEY_FIELDS:
        certainty = extraction.certainty_of(name)
        if certainty is None:
            missing.append(name)
            values.append(0.0)
        else:
            values.append(certainty)
    mean = sum(values) / len(values)
    detail = f"mean certainty of {len(KEY_FIELDS)} key fields {mean:.2f}"
    if missing:
        detail += f"; no evidence for {', '.join(missing)}"
    return mean, detail


def _required_fields(invoice: Invoice) -> tuple[float, str]:
    missing = [
        name
        for name in REQUIRED_FIELDS
        if getattr(invoice, name) is None
        or (isinstance(getattr(invoice, name), str) and not getattr(invoice, name).strip())
    ]
    present = len(REQUIRED_FIELDS) - len(missing)
    detail = f"{present}/{len(REQUIRED_FIELDS)} required fields present"
    if missing:
        detail += f"; missing {', '.join(missing)}"
    return present / len(REQUIRED_FIELDS), detail


def _by_findings(findings: list[Finding], prefix: str, label: str) -> tuple[float, str]:
    relevant = [f for f in findings if f.code.startswith(prefix)]
    errors = [f.code for f in relevant if f.severity == "error"]
    warnings = [f.code for f in relevant if f.severity == "warning"]
    if errors:
        return 0.0, f"{label} errors: {', '.join(errors)}"
    if warnings:
        return 0.6, f"{label} warnings: {', '.join(warnings)}"
    return 1.0, f"{label} checks passed"


def _totals_agree(extracted: Invoice, recomputed: Invoice) -> tuple[float, str]:
    agreeing: list[str] = []
    differing: list[str] = []
    for name in TOTAL_FIELDS:
        before, after = getattr(extracted, name), getattr(recomputed, name)
        (agreeing if before is not None and before == after else differing).append(name)
    detail = f"{len(agreeing)}/{len(TOTAL_FIELDS)} extracted totals match the recomputed ones"
    if differing:
        detail += f"; differ or missing: {', '.join(differing)}"
    return len(agreeing) / len(TOTAL_FIELDS), detail


def _dates(invoice: Invoice, findings: list[Finding]) -> tuple[float, str]:
    if invoice.issue_date is None:
        return 0.0, "no issue date"
    return _by_findings(findings, "date.", "date")


def _tax_rates(findings: list[Finding]) -> tuple[float, str]:
    codes = {f.code for f in findings}
    if "tax.rate_not_allowed" in codes:
        return 0.0, "a line carries a tax rate that is not allowed"
    if "tax.rates_not_configured" in codes:
        return 0.5, "no tax rates configured for the currency"
    if "tax.total_mismatch" in codes:
        return 0.6, "tax recomputed per rate disagrees with the tax total"
    return 1.0, "tax rates allowed (or none to check)"


def _known_supplier(
    invoice: Invoice, settings: PolicySections, learned_supplier: str | None
) -> tuple[float, str]:
    if learned_supplier is not None:
        return 1.0, f"{learned_supplier!r} is a known supplier (learned from an approval)"
    if is_known_supplier(invoice.supplier_name, settings):
        return 1.0, f"{invoice.supplier_name!r} is a known supplier"
    return 0.0, f"{invoice.supplier_name!r} is not in the known suppliers list"


def _text_quality(text_method: str, truncated: bool) -> tuple[float, str]:
    value = TEXT_QUALITY.get(text_method, 0.5)
    detail = f"text read by {text_method}"
    if truncated:
        value /= 2
        detail += " (truncated)"
    return value, detail
