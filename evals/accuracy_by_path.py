"""Field accuracy on the development corpus, per extraction path.

Run: ``python -m evals.accuracy_by_path [--corpus ../shared/corpus] [-v]``

Paths, each scored on ``labeled_fields`` of ``recommended_for_scoring`` documents:

* ``einvoice``      the e-invoice XML (embedded Factur-X/ZUGFeRD CII or UBL, or a standalone
                    CII/UBL file) read exactly by ``documents.einvoice``.
* ``rules/text``    the rules extractor on the text the production reader produces
                    (``documents.reader.read_document``: pypdf text layer, page separators);
                    an e-invoice PDF is read from its ``.noxml.pdf`` copy, a standalone XML
                    from its text rendering.
* ``rules/text on e-invoice PDFs``  the same rules path on the PDFs that carry XML, with the
                    XML removed: what those documents would score without it.
* ``production``    what the workflow does: the XML when present, else rules on the text.

These are measurements on the development corpus, not a benchmark.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.corpus_accuracy import (
    DEFAULT_CORPUS,
    HEADER_FIELDS,
    Tally,
    in_our_convention,
    line_items_score,
)
from schemas.invoice.invoice import Invoice
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.einvoice import EInvoiceError, extract_embedded_xml, parse_einvoice
from vouchflow.documents.reader import read_document
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.settings.config import IntakeSettings

View = dict[str, Any]


def production_text(path: Path, blobs: LocalBlobStore) -> str:
    result = read_document(
        path.read_bytes(), filename=path.name, limits=IntakeSettings(), blobs=blobs
    )
    if not result.ok or result.text_ref is None:
        return ""
    return blobs.get_text(result.text_ref.sha256)


def _view(invoice: Invoice) -> View:
    return {**invoice.ground_truth_view(), "document_type": invoice.document_type}


def rules_view(path: Path, blobs: LocalBlobStore) -> View:
    return _view(extract_with_rules(production_text(path, blobs), filename=path.name).invoice)


def einvoice_view(path: Path) -> View | None:
    if path.suffix.lower() == ".xml":
        xml: bytes | None = path.read_bytes()
    else:
        found = extract_embedded_xml(path.read_bytes())
        xml = found[1] if found else None
    if xml is None:
        return None
    try:
        return _view(parse_einvoice(xml).invoice)
    except EInvoiceError:
        return None


class PathScore:
    def __init__(self, title: str) -> None:
        self.title = title
        self.tally = Tally()
        self.lines = [0, 0]
        self.docs = 0

    def add(self, doc: dict[str, Any], got: View) -> None:
        self.docs += 1
        name = doc["id"].split("/")[-1]
        # Scored in vouchflow's sign convention (see evals.corpus_accuracy).
        truth = in_our_convention(doc["ground_truth"], got.get("document_type") == "credit_note")
        for field in HEADER_FIELDS:
            if field in doc["labeled_fields"]:
                self.tally.add(name, field, truth.get(field), got.get(field))
        if doc.get("line_items_labeled"):
            m, t = line_items_score(truth.get("line_items") or [], got.get("line_items") or [])
            self.lines[0] += m
            self.lines[1] += t

    def print(self, verbose: bool) -> None:
        self.tally.print(
            f"{self.title} ({self.docs} documents)", (self.lines[0], self.lines[1]), verbose
        )


def score(corpus: Path, verbose: bool) -> list[PathScore]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    docs = [d for d in manifest["documents"] if d.get("recommended_for_scoring")]
    einvoice = PathScore("einvoice: embedded or standalone XML")
    rules_all = PathScore("rules/text: all scored documents")
    rules_einv = PathScore("rules/text on the e-invoice PDFs (XML ignored)")
    production = PathScore("production: XML when present, else rules/text")
    with tempfile.TemporaryDirectory() as tmp:
        blobs = LocalBlobStore(Path(tmp))
        for doc in docs:
            path = corpus / doc["file"]
            rules = rules_view(corpus / (doc.get("file_noxml") or doc["file"]), blobs)
            rules_all.add(doc, rules)
            xml = einvoice_view(path)
            if xml is not None:
                einvoice.add(doc, xml)
                if path.suffix.lower() == ".pdf":
                    rules_einv.add(doc, rules)
            production.add(doc, xml if xml is not None else rules)
    paths = [einvoice, rules_einv, rules_all, production]
    for p in paths:
        p.print(verbose)
    return paths


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.json").exists():
        out(f"no corpus manifest under {args.corpus}")
        return
    score(args.corpus, args.verbose)


if __name__ == "__main__":
    main()
