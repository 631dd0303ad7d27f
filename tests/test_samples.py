"""The bundled samples: the rules extractor reads each one as its ground truth says, and
regenerating them reproduces the same ground truth and the same bytes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from evals.corpus_accuracy import HEADER_FIELDS, document_text
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.samples.generate import OUT_DIR, generate

SAMPLE_JSONS = sorted(OUT_DIR.glob("*.json"))


def _document(truth_path: Path) -> Path:
    for suffix in (".pdf", ".txt"):
        candidate = truth_path.with_suffix(suffix)
        if candidate.exists():
            return candidate
    raise AssertionError(f"no document beside {truth_path.name}")


def test_all_required_samples_exist() -> None:
    names = {p.stem for p in SAMPLE_JSONS}
    required = {
        "01_clean_uk_vat", "02_above_limit", "03_arithmetic_mismatch",
        "04_missing_invoice_number", "05_duplicate_of_01", "06_not_an_invoice",
        "07_hostile_injection", "08_euro_invoice", "09_plain_text",
    }  # fmt: skip
    assert required <= names
    routes = {json.loads(p.read_text(encoding="utf-8"))["expected_route"] for p in SAMPLE_JSONS}
    assert routes == {"auto_draft", "review", "flag", "reject_input"}


@pytest.mark.parametrize("truth_path", SAMPLE_JSONS, ids=lambda p: p.stem)
def test_extraction_matches_ground_truth(truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    result = extract_with_rules(document_text(_document(truth_path)), filename=truth_path.name)
    if truth["expected_route"] == "reject_input":
        assert result.invoice_likelihood < 0.5
        return
    assert result.invoice_likelihood >= 0.5
    got = result.invoice.ground_truth_view()
    for field in HEADER_FIELDS:
        assert got[field] == truth[field], field
    lines = got["line_items"]
    assert isinstance(lines, list)
    assert len(lines) == len(truth["line_items"])
    for exp, item in zip(truth["line_items"], lines, strict=True):
        assert item["description"] == exp["description"]
        assert Decimal(item["quantity"]) == Decimal(exp["quantity"])
        assert Decimal(item["tax_rate"]) == Decimal(exp["tax_rate"])
        assert item["unit_price_minor"] == exp["unit_price_minor"]
        assert item["line_total_minor"] == exp["line_total_minor"]
    assert bool(result.injection_flags) == (truth_path.stem == "07_hostile_injection")


def test_mismatch_sample_prints_a_wrong_total() -> None:
    truth = json.loads((OUT_DIR / "03_arithmetic_mismatch.json").read_text(encoding="utf-8"))
    assert truth["subtotal_minor"] + truth["tax_total_minor"] != truth["total_minor"]
    assert sum(li["line_total_minor"] for li in truth["line_items"]) == truth["subtotal_minor"]


def test_duplicate_shares_supplier_and_number_but_not_bytes() -> None:
    a = json.loads((OUT_DIR / "01_clean_uk_vat.json").read_text(encoding="utf-8"))
    b = json.loads((OUT_DIR / "05_duplicate_of_01.json").read_text(encoding="utf-8"))
    assert (a["supplier_name"], a["invoice_number"]) == (b["supplier_name"], b["invoice_number"])
    pdf_a = (OUT_DIR / "01_clean_uk_vat.pdf").read_bytes()
    pdf_b = (OUT_DIR / "05_duplicate_of_01.pdf").read_bytes()
    assert pdf_a != pdf_b


def test_regenerating_reproduces_ground_truth_and_bytes(tmp_path: Path) -> None:
    written = generate(tmp_path)
    assert written
    for path in written:
        committed = OUT_DIR / path.name
        assert committed.exists(), path.name
        assert path.read_bytes() == committed.read_bytes(), path.name
