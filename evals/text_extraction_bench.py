"""Native PDF text extraction: pypdf vs pdfplumber on the development corpus.

Run: ``.venv/bin/python evals/text_extraction_bench.py [--repeat N]``

For each PDF in ``../shared/corpus`` (or ``$VOUCHFLOW_CORPUS``) and each library it
prints per-page extraction time (median and p95 over all pages x repeats), characters
extracted, and a quality proxy: the share of labelled ground-truth strings (invoice
number, supplier name, line-item descriptions, total as printed) found in the text after
whitespace/case normalisation.

Measured on the 14 corpus PDFs (16 pages), 5 repeats, 2 shared CPUs (timings are
noisy; the ratio held across runs: 3 runs gave pypdf 35-53 ms, pdfplumber 113-157 ms median):

    library     pages  median ms/page  p95 ms/page   chars   gt strings found
    pypdf          16            35.0        199.5  26,281     68/80 (85.0%)
    pdfplumber     16           112.7        278.3  26,075     67/80 (83.8%)

Quality is a tie (pdfplumber misses one Azure Interior line description that pypdf
keeps; the shared misses are labels the text layer does not carry verbatim, e.g. the
Quality Hosting line descriptions and supplier names inside images); pypdf is about 3x
faster per page and is already our PDF parser for structure, attachments, page counts
and decryption, so ``documents.pdf_text`` uses pypdf for native text.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

CORPUS = Path(
    os.environ.get("VOUCHFLOW_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def pypdf_pages(data: bytes) -> list[tuple[float, str]]:
    reader = PdfReader(io.BytesIO(data))
    out = []
    for page in reader.pages:
        t0 = time.perf_counter()
        text = page.extract_text() or ""
        out.append((time.perf_counter() - t0, text))
    return out


def pdfplumber_pages(data: bytes) -> list[tuple[float, str]]:
    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            t0 = time.perf_counter()
            text = page.extract_text() or ""
            out.append((time.perf_counter() - t0, text))
    return out


def _amount_variants(minor: int) -> list[str]:
    units, cents = divmod(minor, 100)
    return [f"{units}.{cents:02d}", f"{units},{cents:02d}", f"{units:,}.{cents:02d}"]


def gt_strings(doc: dict) -> list[list[str]]:
    """Each entry: acceptable spellings of one labelled value."""
    gt = doc["ground_truth"]
    labelled = set(doc.get("labeled_fields", []))
    wanted: list[list[str]] = []
    for field in ("invoice_number", "supplier_name"):
        if field in labelled and gt.get(field):
            wanted.append([gt[field]])
    if "total_minor" in labelled and gt.get("total_minor") is not None:
        wanted.append(_amount_variants(gt["total_minor"]))
    if doc.get("line_items_labeled"):
        for item in gt.get("line_items", []):
            if item.get("description"):
                wanted.append([item["description"]])
    return wanted


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    manifest = json.loads((CORPUS / "manifest.json").read_text())
    docs = [d for d in manifest["documents"] if d["file"].endswith(".pdf")]
    libs: dict[str, Callable[[bytes], list[tuple[float, str]]]] = {
        "pypdf": pypdf_pages,
        "pdfplumber": pdfplumber_pages,
    }
    print(
        f"{'document':42} {'library':11} {'pages':>5} {'ms/page':>8} {'chars':>7} {'gt found':>9}"
    )
    summary: dict[str, dict[str, float]] = {}
    for name, fn in libs.items():
        times: list[float] = []
        chars = found = wanted_total = pages = 0
        for doc in docs:
            data = (CORPUS / doc["file"]).read_bytes()
            doc_times: list[float] = []
            text = ""
            for _ in range(args.repeat):
                result = fn(data)
                doc_times.extend(t for t, _ in result)
                text = "\n".join(t for _, t in result)
            times.extend(doc_times)
            norm = _norm(text)
            wanted = gt_strings(doc)
            hits = sum(any(_norm(v) in norm for v in spellings) for spellings in wanted)
            n_pages = len(doc_times) // args.repeat
            pages += n_pages
            chars += len(text)
            found += hits
            wanted_total += len(wanted)
            print(
                f"{Path(doc['file']).stem[:42]:42} {name:11} {n_pages:5d} "
                f"{statistics.median(doc_times) * 1000:8.1f} {len(text):7d} "
                f"{hits:4d}/{len(wanted):<4d}"
            )
        summary[name] = {
            "pages": pages,
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": _p95(times) * 1000,
            "chars": chars,
            "found": found,
            "wanted": wanted_total,
        }
    print()
    print(
        f"{'library':11} {'pages':>5} {'median ms/page':>15} {'p95 ms/page':>12} "
        f"{'chars':>8} {'gt strings found':>18}"
    )
    for name, s in summary.items():
        share = 100 * s["found"] / s["wanted"] if s["wanted"] else 0.0
        print(
            f"{name:11} {s['pages']:5.0f} {s['median_ms']:15.1f} {s['p95_ms']:12.1f} "
            f"{s['chars']:8,.0f} {s['found']:6.0f}/{s['wanted']:.0f} ({share:.1f}%)"
        )


if __name__ == "__main__":
    main()
