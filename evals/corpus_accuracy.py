"""Field accuracy of the rules extractor on the development corpus and the bundled samples.

Run: ``python -m evals.corpus_accuracy [--corpus ../shared/corpus] [--samples]``

Two paths, reported apart (as the corpus README advises):

* text path (rules extractor): PDF text from pypdf's text layer, read from the
  ``.noxml.pdf`` copy when the PDF embeds an e-invoice (so the XML cannot help);
  ``.txt`` files as they are;
* XML path: standalone CII/UBL files read by the e-invoice reader.

Only ``labeled_fields`` of ``recommended_for_scoring`` documents are scored; line
items only where ``line_items_labeled``. A credit note is scored in vouchflow's
convention (credited amounts positive, ``document_type`` says credit note): ground
truth that states a credit note's amounts as negative is compared by magnitude.
A date the reader refuses as implausible (year outside 1900..2200) counts as a miss.
These are measurements, not tests.
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pypdf

from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.invoice import HEADER_FIELDS as INVOICE_HEADER_FIELDS
from vouchflow.documents.einvoice import EInvoiceError, parse_einvoice
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.invoice.extraction.rules_labels import LEGAL_FORM

HEADER_FIELDS = list(INVOICE_HEADER_FIELDS)
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "vouchflow" / "samples" / "invoices"


def document_text(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        reader = pypdf.PdfReader(str(path))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return path.read_text(encoding="utf-8")


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = LEGAL_FORM.sub(" ", text)
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def names_match(expected: str, got: str | None) -> bool:
    if not got:
        return False
    a, b = normalise_name(expected), normalise_name(got)
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)):
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def _norm_id(value: object) -> str:
    return re.sub(r"[\s#]", "", str(value)).casefold()


def field_correct(field: str, expected: Any, got: Any) -> bool:
    if expected is None:
        return got is None
    if field == "supplier_name":
        return names_match(str(expected), got)
    if field == "invoice_number":
        return got is not None and _norm_id(expected) == _norm_id(got)
    return bool(expected == got)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def line_items_score(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> tuple[int, int]:
    """(matched, expected): an expected line matches a distinct extracted line with a similar
    description and every labelled amount/quantity/rate equal."""
    used: set[int] = set()
    matched = 0
    for exp in expected:
        for j, cand in enumerate(got):
            if j in used or not names_match(exp["description"], cand.get("description")):
                continue
            ok = all(
                exp.get(k) is None or exp[k] == cand.get(k)
                for k in ("unit_price_minor", "line_total_minor")
            ) and all(
                exp.get(k) is None or _dec(exp[k]) == _dec(cand.get(k))
                for k in ("quantity", "tax_rate")
            )
            if ok:
                used.add(j)
                matched += 1
                break
    return matched, len(expected)


class Tally:
    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)
        self.misses: list[str] = []

    def add(self, doc: str, field: str, expected: Any, got: Any) -> None:
        self.total[field] += 1
        if field_correct(field, expected, got):
            self.right[field] += 1
        else:
            self.misses.append(f"{doc}: {field} expected {expected!r} got {got!r}")

    def print(self, title: str, lines_result: tuple[int, int] | None, verbose: bool) -> None:
        print(f"\n{title}")
        print(f"  {'field':<18}{'correct':>8}{'scored':>8}{'accuracy':>10}")
        right_all = total_all = 0
        for field in HEADER_FIELDS:
            if self.total[field]:
                r, t = self.right[field], self.total[field]
                right_all, total_all = right_all + r, total_all + t
                print(f"  {field:<18}{r:>8}{t:>8}{r / t:>10.1%}")
        if total_all:
            share = right_all / total_all
            print(f"  {'header overall':<18}{right_all:>8}{total_all:>8}{share:>10.1%}")
        if lines_result and lines_result[1]:
            m, t = lines_result
            print(f"  {'line items':<18}{m:>8}{t:>8}{m / t:>10.1%}")
        if verbose:
            for miss in self.misses:
                print(f"    miss  {miss}")


def in_our_convention(truth: dict[str, Any], credit_note: bool) -> dict[str, Any]:
    """Ground truth with a (printed) credit note's negative amounts turned positive."""
    total = truth.get("total_minor")
    if not credit_note or not isinstance(total, int) or total >= 0:
        return truth
    out = dict(truth)
    for key in ("subtotal_minor", "tax_total_minor", "total_minor"):
        if isinstance(out.get(key), int):
            out[key] = -out[key]
    out["line_items"] = [
        {
            **line,
            **{
                k: -line[k]
                for k in ("unit_price_minor", "line_total_minor")
                if isinstance(line.get(k), int)
            },
        }
        for line in truth.get("line_items") or []
    ]
    return out


def _read(corpus: Path, doc: dict[str, Any]) -> tuple[str, ExtractionResult | None]:
    """(path name, result) for one corpus document; None when the path refuses it."""
    if doc["file"].endswith(".xml"):
        try:
            return "xml", parse_einvoice((corpus / doc["file"]).read_bytes())
        except EInvoiceError:
            return "xml", None
    file = doc.get("file_noxml") or doc["file"]
    text = document_text(corpus / file)
    return "text", extract_with_rules(text, filename=file)


def score_corpus(corpus: Path, verbose: bool) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    tallies = {"text": Tally(), "xml": Tally()}
    lines = {"text": [0, 0], "xml": [0, 0]}
    for doc in manifest["documents"]:
        if not doc.get("recommended_for_scoring"):
            continue
        path, result = _read(corpus, doc)
        tally = tallies[path]
        name = doc["id"].split("/")[-1]
        got = result.invoice.ground_truth_view() if result else {"line_items": []}
        credit_note = result is not None and result.invoice.document_type == "credit_note"
        truth = in_our_convention(doc["ground_truth"], credit_note)
        for field in HEADER_FIELDS:
            if field in doc["labeled_fields"]:
                tally.add(name, field, truth.get(field), got.get(field))
        if doc.get("line_items_labeled"):
            m, t = line_items_score(truth.get("line_items") or [], got["line_items"])  # type: ignore[arg-type]
            lines[path][0] += m
            lines[path][1] += t
            if verbose and m < t:
                tally.misses.append(f"{name}: line items {m}/{t}")
        if verbose and result and result.injection_flags:
            tally.misses.append(f"{name}: injection flags {result.injection_flags}")
    tallies["text"].print(
        f"Corpus ({corpus}), text path (PDF text layer, .noxml copies; .txt), rules extractor",
        (lines["text"][0], lines["text"][1]),
        verbose,
    )
    tallies["xml"].print(
        f"Corpus ({corpus}), XML path (standalone CII/UBL), e-invoice reader",
        (lines["xml"][0], lines["xml"][1]),
        verbose,
    )


def score_samples(samples: Path, verbose: bool) -> None:
    tally = Tally()
    lines_m = lines_t = 0
    for truth_path in sorted(samples.glob("*.json")):
        doc = next(
            (
                p
                for p in (truth_path.with_suffix(".pdf"), truth_path.with_suffix(".txt"))
                if p.exists()
            ),
            None,
        )
        if doc is None:
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth.get("expected_route") == "reject_input":
            continue  # not an invoice: nothing to score field by field
        got = extract_with_rules(document_text(doc), filename=doc.name).invoice.ground_truth_view()
        for field in HEADER_FIELDS:
            tally.add(truth_path.stem, field, truth.get(field), got.get(field))
        m, t = line_items_score(truth.get("line_items") or [], got["line_items"])  # type: ignore[arg-type]
        lines_m, lines_t = lines_m + m, lines_t + t
    tally.print(f"Bundled samples ({samples})", (lines_m, lines_t), verbose)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--samples", action="store_true", help="also score samples/invoices")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    args = parser.parse_args()
    if (args.corpus / "manifest.json").exists():
        score_corpus(args.corpus, args.verbose)
    else:
        print(f"no corpus manifest under {args.corpus}")
    if args.samples:
        score_samples(SAMPLES_DIR, args.verbose)


if __name__ == "__main__":
    main()
