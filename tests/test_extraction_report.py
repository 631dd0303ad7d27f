"""The extraction report's data split and groups: the fresh viewer renderings
(``evals/renderings/fresh``) are found, kept apart from the first set, and scored.

The renderings are committed PDFs, so nothing here needs Chromium or Saxon."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from evals.corpus_accuracy import DEFAULT_CORPUS
from evals.extraction_report import (
    FIRST_ALL_KNOWN,
    FIRST_BUNDLED,
    KEY,
    SECOND,
    family_key,
    group_of,
    report,
)
from evals.page_split import FRESH_RENDERINGS, fresh_rendering_docs, rendering_docs
from vouchflow.documents.einvoice import extract_embedded_xml

CORPUS_PRESENT = (Path(DEFAULT_CORPUS) / "manifest.json").exists()


def fresh_manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        (FRESH_RENDERINGS / "manifest.json").read_text(encoding="utf-8")
    )
    return manifest


def test_fresh_renderings_are_their_own_group() -> None:
    manifest = fresh_manifest()
    scorable = [d for d in manifest["documents"] if d["recommended_for_scoring"]]
    docs = fresh_rendering_docs()

    assert len(docs) == len(scorable) > 0
    assert {d.path for d in docs} == {FRESH_RENDERINGS / d["file"] for d in scorable}
    assert all(d.path.is_file() for d in docs)
    assert {group_of(d) for d in docs} == {"fresh viewer"}
    assert {d.language for d in docs} == {"de", "en"}

    # The first set keeps its own groups and documents; no PDF is in both.
    first = rendering_docs()
    assert first and {d.split for d in first} <= {"dev", "test"}
    assert not any(FRESH_RENDERINGS in d.path.parents for d in first)
    ids = [d.id for d in first + docs]
    assert len(ids) == len(set(ids))
    # A template learned in one set never reads a page of the other, even for a supplier
    # both sets hold.
    assert {family_key(d) for d in docs}.isdisjoint(family_key(d) for d in first)
    assert family_key(replace(first[0], split="fresh")) != family_key(first[0])


def test_fresh_pdfs_carry_only_page_text() -> None:
    """No XML to fall back on, and the page shows what the ground truth says it does."""
    manifest = fresh_manifest()
    assert manifest["count"] == len(manifest["documents"])
    assert manifest["text_check_failures"] == []
    for entry in manifest["documents"]:
        pdf = FRESH_RENDERINGS / entry["file"]
        assert extract_embedded_xml(pdf.read_bytes()) is None, entry["file"]
        reader = PdfReader(pdf)
        text = "".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
        assert len(reader.pages) == entry["text_check"]["pages"], entry["file"]
        for shown in (
            entry["ground_truth"]["invoice_number"],
            entry["text_check"]["total_as_printed"],
        ):
            assert "".join(shown.split()) in text, (entry["file"], shown)
        for licence in (entry["xml_license_file"], entry["stylesheet_license_file"]):
            assert (FRESH_RENDERINGS / licence).is_file(), licence


@pytest.mark.skipif(not CORPUS_PRESENT, reason="development corpus not present")
def test_fresh_ground_truth_is_the_source_pdfs() -> None:
    """Copied from the corpus entry of the PDF whose embedded XML was rendered, and every
    PDF with an embedded XML is either rendered or listed as skipped with a reason."""
    corpus = Path(DEFAULT_CORPUS)
    sources = {
        d["id"]: d
        for d in json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["documents"]
    }
    manifest = fresh_manifest()
    for entry in manifest["documents"]:
        source = sources[entry["source_corpus_id"]]
        assert entry["source_corpus_file"] == source["file"]
        for copied in ("ground_truth", "labeled_fields", "recommended_for_scoring", "family"):
            assert entry[copied] == source[copied], (entry["file"], copied)
        pdf = (corpus / source["file"]).read_bytes()
        assert entry["source_sha256"] == hashlib.sha256(pdf).hexdigest()
        found = extract_embedded_xml(pdf)
        assert found is not None
        assert entry["embedded_xml_sha256"] == hashlib.sha256(found[1]).hexdigest()
        licence = FRESH_RENDERINGS / entry["xml_license_file"]
        assert licence.read_bytes() == (corpus / source["license_file"]).read_bytes()

    rendered = {e["source_corpus_file"] for e in manifest["documents"]}
    skipped = {s["source_corpus_file"] for s in manifest["skipped"] if s["reason"]}
    with_xml = {
        d["file"]
        for d in sources.values()
        if d["file"].lower().endswith(".pdf")
        and extract_embedded_xml((corpus / d["file"]).read_bytes()) is not None
    }
    assert with_xml == rendered | skipped


def test_report_scores_the_fresh_group_apart(tmp_path: Path) -> None:
    """The report reads fresh renderings into their own first-sight row, second-invoice
    row and routing lines, and scores them against their copied ground truth."""
    # Three renderings of the largest family (same supplier, viewer and language).
    key_of = {d.path: family_key(d) for d in fresh_rendering_docs()}
    family = Counter(key_of.values()).most_common(1)[0][0]
    entries = [
        e
        for e in fresh_manifest()["documents"]
        if key_of.get(FRESH_RENDERINGS / e["file"]) == family
    ]
    chosen = sorted(entries, key=lambda e: e["source_corpus_id"])[:3]
    assert len(chosen) == 3
    # One reading must miss: its ground truth's total is one cent off what the page prints.
    doctored = dict(chosen[-1], ground_truth=dict(chosen[-1]["ground_truth"]))
    doctored["ground_truth"]["total_minor"] += 1
    subset = [*chosen[:-1], doctored]
    for entry in subset:
        entry["file"] = str(FRESH_RENDERINGS / entry["file"])  # absolute: read in place

    corpus = tmp_path / "corpus"
    renderings = tmp_path / "renderings"
    (renderings / "fresh").mkdir(parents=True)
    corpus.mkdir()
    (corpus / "manifest.json").write_text(json.dumps({"documents": []}))
    (renderings / "manifest.json").write_text(json.dumps({"documents": []}))
    (renderings / "fresh" / "manifest.json").write_text(json.dumps({"documents": subset}))

    lines: list[str] = []
    result = report(corpus, renderings, verbose=True, out=lines.append)

    first = result["first"].rows
    assert set(first) == {"fresh viewer"}
    scored = {s.doc.path.name: s for s in first["fresh viewer"]}
    assert len(scored) == 3
    for entry in subset:
        s = scored[Path(entry["file"]).name]
        assert s.doc.truth == entry["ground_truth"]
        assert s.key_ok == (not s.missed & set(KEY))
    wrong = scored[Path(doctored["file"]).name]
    assert "total_minor" in wrong.missed and not wrong.key_ok
    assert any(m.startswith("total_minor: want") for m in wrong.misses)
    # Two further invoices of the family, each read against the template of the first.
    assert len(result["second"].rows["fresh viewer"]) == 2

    fresh_routes, routes = result["fresh_routes"], result["routes"]
    assert [fresh_routes[k].n for k in (FIRST_BUNDLED, FIRST_ALL_KNOWN, SECOND)] == [3, 3, 2]
    assert all(t.n == 0 for t in routes.values())
    for tally in fresh_routes.values():
        # Every auto-draft is counted right or listed wrong; the doctored one can't be right.
        assert tally.auto - tally.auto_right == len(tally.wrong_auto)
        assert tally.auto_right <= tally.auto <= tally.n

    row = next(line for line in lines if line.startswith("  fresh viewer "))
    assert row.split()[2] == "3"
    assert "  fresh viewer (evals/renderings/fresh)" in lines
    assert any(f"[fresh viewer] {Path(doctored['file']).name}: " in line for line in lines)


def test_report_without_fresh_set_prints_no_fresh_lines(tmp_path: Path) -> None:
    """A renderings folder without ``fresh/`` reports exactly as before."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.json").write_text(json.dumps({"documents": []}))
    lines: list[str] = []
    result = report(corpus, tmp_path / "no-renderings", verbose=True, out=lines.append)
    assert not result["first"].rows
    assert all(t.n == 0 for t in result["fresh_routes"].values())
    assert not any("fresh" in line for line in lines)
