"""Confidence: named signals with values and weights, combined by the documented formula."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from schemas.invoice.assessment import Confidence, Signal
from schemas.invoice.extraction import ExtractionResult, ExtractorInfo
from schemas.invoice.invoice import LineItem
from tests.policy_builders import TODAY, make_extraction, make_invoice
from vouchflow.invoice.rules.confidence import score_confidence
from vouchflow.invoice.rules.validation import validate_invoice
from vouchflow.settings.config import Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def score(
    extraction: ExtractionResult, settings: Settings, text_method: str = "pdf_text"
) -> Confidence:
    invoice, findings = validate_invoice(extraction.invoice, today=TODAY, settings=settings)
    return score_confidence(
        extraction, invoice, findings, settings=settings, text_method=text_method
    )


def by_name(confidence: Confidence) -> dict[str, Signal]:
    return {s.name: s for s in confidence.signals}


def test_clean_invoice_scores_100_with_every_base_signal(settings: Settings) -> None:
    confidence = score(make_extraction(make_invoice()), settings)
    assert confidence.score == 100
    signals = by_name(confidence)
    assert set(signals) == {
        "extractor_certainty",
        "required_fields",
        "arithmetic",
        "totals_agree",
        "dates",
        "tax_rates",
        "known_supplier",
        "text_quality",
    }
    for name, signal in signals.items():
        assert signal.value == 1.0
        assert signal.weight == settings.confidence.weights[name]
        assert signal.detail


def test_score_is_the_weighted_mean_rounded_half_up(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(supplier_name="Unknown Co"), certainty=0.5)
    confidence = score(extraction, settings, text_method="ocr")
    weighted = sum(
        (Decimal(str(s.weight)) * Decimal(str(s.value)) for s in confidence.signals), Decimal(0)
    )
    total = sum((Decimal(str(s.weight)) for s in confidence.signals), Decimal(0))
    expected = int((weighted * 100 / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert confidence.score == expected
    signals = by_name(confidence)
    assert signals["extractor_certainty"].value == 0.5
    assert signals["known_supplier"].value == 0.0
    assert signals["text_quality"].value == 0.6
    # (3*0.5 + 1*0 + 1*0.6 + 10 from the others at 1.0) / 15 = 12.1/15 -> 80.67 -> 81
    assert confidence.score == 81


def test_known_supplier_is_case_and_space_insensitive(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(supplier_name="  acme OFFICE  supplies ltd "))
    assert by_name(score(extraction, settings))["known_supplier"].value == 1.0


def test_missing_evidence_counts_as_zero_certainty(settings: Settings) -> None:
    extraction = make_extraction(make_invoice()).model_copy(update={"evidence": []})
    signal = by_name(score(extraction, settings))["extractor_certainty"]
    assert signal.value == 0.0
    assert "no evidence" in signal.detail


def test_arithmetic_error_and_disagreeing_totals_lower_the_score(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(total_minor=13_000))
    confidence = score(extraction, settings)
    signals = by_name(confidence)
    assert signals["arithmetic"].value == 0.0
    assert "arithmetic.total_recomputed" in signals["arithmetic"].detail
    # subtotal and tax agree, the extracted total does not.
    assert signals["totals_agree"].value == pytest.approx(2 / 3)
    assert confidence.score < settings.confidence.auto_draft_min_score


def test_missing_required_fields_are_counted(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(invoice_number=None, issue_date=None))
    signals = by_name(score(extraction, settings))
    assert signals["required_fields"].value == pytest.approx(3 / 5)
    assert signals["dates"].value == 0.0


def test_bad_tax_rate_and_bad_dates(settings: Settings) -> None:
    line = LineItem(
        description="x",
        quantity=Decimal("1"),
        unit_price_minor=10_000,
        tax_rate=Decimal("17.5"),
        line_total_minor=10_000,
    )
    invoice = make_invoice(
        line_items=[line], tax_total_minor=1_750, total_minor=11_750, due_date=dt.date(2025, 1, 1)
    )
    signals = by_name(score(make_extraction(invoice), settings))
    assert signals["tax_rates"].value == 0.0
    assert signals["dates"].value == 0.0


def test_optional_signals_appear_only_when_they_apply(settings: Settings) -> None:
    plain = by_name(score(make_extraction(make_invoice()), settings))
    for name in ("extractor_agreement", "structured_source", "provider_fallback", "injection"):
        assert name not in plain
    extraction = make_extraction(
        make_invoice(),
        agreement=0.75,
        disagreeing_fields=["due_date"],
        notes=["openai failed; fallback to anthropic"],
        injection_flags=["'ignore previous instructions' on page 1"],
    )
    confidence = score(extraction, settings)
    signals = by_name(confidence)
    assert signals["extractor_agreement"].value == 0.75
    assert "due_date" in signals["extractor_agreement"].detail
    assert signals["provider_fallback"].value == 0.5
    assert signals["injection"].value == 0.0
    assert "ignore previous instructions" in signals["injection"].detail
    assert confidence.score < settings.confidence.auto_draft_min_score


def test_einvoice_source_is_a_structured_signal(settings: Settings) -> None:
    extraction = make_extraction(
        make_invoice(), extractor=ExtractorInfo(kind="einvoice", name="Factur-X reader")
    )
    signals = by_name(score(extraction, settings, text_method="einvoice_xml"))
    assert signals["structured_source"].value == 1.0
    assert signals["text_quality"].value == 1.0


def test_truncated_text_halves_text_quality(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(), text_truncated=True)
    signal = by_name(score(extraction, settings))["text_quality"]
    assert signal.value == 0.5
    assert "truncated" in signal.detail


def test_weights_come_from_settings(settings: Settings) -> None:
    custom = settings.model_copy(
        update={
            "confidence": settings.confidence.model_copy(
                update={"weights": {**settings.confidence.weights, "known_supplier": 0.0}}
            )
        }
    )
    extraction = make_extraction(make_invoice(supplier_name="Unknown Co"))
    confidence = score(extraction, custom)
    assert by_name(confidence)["known_supplier"].weight == 0.0
    assert confidence.score == 100
