"""Extraction and routing, measured: ``make eval-extraction``.

Run: ``python -m evals.extraction_report [--corpus ../shared/corpus] [-v]``

What it prints, each on the development part and the held-out part (``evals.page_split``:
one supplier in three is held out; of the viewer renderings in ``evals/renderings``, the
UniStyles ones count as development data, the KoSIT and BFO ones are held out), and on the
fresh viewer renderings (``evals/renderings/fresh``, group "fresh viewer": made after the
extractor was developed, so they still measure layouts nobody tuned on):

1. **e-invoice path**: the XML read exactly (standalone files and embedded Factur-X).
2. **text path at first sight**: the rules extractor on the page alone (e-invoice PDFs are
   read from their XML-free copies), per field and all five key fields (supplier, number,
   issue date, currency, total) right together; designed layouts and viewer renderings
   apart.
3. **text path on a second invoice of a learned supplier**: within each supplier family
   (same supplier, same layout), the first invoice is approved as its ground truth says
   and a supplier template is learned from it; every further invoice of the family is
   then read and checked against that template, as the workflow does.
4. **routing**: the real validation, confidence and routing rules on each reading.
   *Auto-route precision* is the share of auto-drafted invoices whose five key fields are
   all right (the target is 100 %: a wrong field must never be drafted automatically);
   the *automation rate* is the share auto-drafted. Three situations: first sight with
   the bundled settings (only the starting list of known suppliers), first sight as if
   every supplier were known (the honest test of certainties: only the extractor's own
   certainty then stands between a misread and a draft), and second invoices (the
   supplier is known through its learned template). The fresh viewer renderings get their
   own three lines, so the figures of the other groups do not move with them.

Amount limits are set high for every currency here, so that routing depends on the
reading, not on a limit. These are measurements, not tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.corpus_accuracy import DEFAULT_CORPUS, field_correct, in_our_convention
from evals.page_split import PageDoc, fresh_rendering_docs, page_docs, rendering_docs
from schemas.common.documents import DocumentText
from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.invoice import Invoice
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.einvoice import EInvoiceError, extract_embedded_xml, parse_einvoice
from vouchflow.documents.layout import Layout, text_layout
from vouchflow.documents.reader import read_document
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.invoice.rules.assess import assess
from vouchflow.invoice.rules.hidden_text import with_hidden_text
from vouchflow.invoice.templates import (
    apply_template_check,
    check_against_template,
    learn_template,
    read_with_template,
)
from vouchflow.settings.config import IntakeSettings, load_settings

KEY = ("supplier_name", "invoice_number", "issue_date", "currency", "total_minor")
OTHER = ("due_date", "subtotal_minor", "tax_total_minor")
HIGH_LIMIT = 10**13
Out = Callable[[str], None]


@dataclass
class Page:
    doc: PageDoc
    text: str
    layout: Layout
    method: str
    # What the reader found (hidden text, ...), as the workflow's extraction step sees it.
    document: DocumentText


@dataclass
class Scored:
    doc: PageDoc
    got: dict[str, Any]
    key_ok: bool
    misses: list[str]
    missed: frozenset[str] = frozenset()


@dataclass
class Table:
    title: str
    rows: dict[str, list[Scored]] = field(default_factory=lambda: defaultdict(list))

    def add(self, group: str, scored: Scored) -> None:
        self.rows[group].append(scored)

    def print(self, out: Out, verbose: bool) -> None:
        out(f"\n{self.title}")
        names = [f[:8] for f in (*KEY, *OTHER)]
        out(f"  {'group':<28}{'n':>4}  " + "  ".join(f"{n:>8}" for n in names) + "  all-5-key")
        for group in sorted(self.rows):
            items = self.rows[group]
            cells = []
            for f in (*KEY, *OTHER):
                scored = [s for s in items if f in s.doc.labeled]
                ok = sum(1 for s in scored if f not in s.missed)
                cells.append(f"{_pct(ok, len(scored)):>8}")
            all5 = sum(s.key_ok for s in items)
            out(
                f"  {group:<28}{len(items):>4}  "
                + "  ".join(cells)
                + f"  {all5}/{len(items)} {_pct(all5, len(items))}"
            )
        if verbose:
            for group in sorted(self.rows):
                for s in self.rows[group]:
                    if s.misses:
                        out(f"    [{group}] {s.doc.path.name}: " + "; ".join(s.misses))


def _pct(ok: int, n: int) -> str:
    return f"{100 * ok / n:.0f}%" if n else "-"


def score(doc: PageDoc, invoice: Invoice) -> Scored:
    credit = invoice.document_type == "credit_note"
    truth = in_our_convention(doc.truth, credit)
    got = invoice.ground_truth_view()
    misses = []
    missed = set()
    key_ok = True
    for f in (*KEY, *OTHER):
        if f not in doc.labeled:
            continue
        if not field_correct(f, truth.get(f), got.get(f)):
            misses.append(f"{f}: want {truth.get(f)!r} got {got.get(f)!r}")
            missed.add(f)
            if f in KEY:
                key_ok = False
    return Scored(doc, got, key_ok, misses, frozenset(missed))


def read_page(doc: PageDoc, blobs: LocalBlobStore) -> Page | None:
    result = read_document(
        doc.path.read_bytes(), filename=doc.path.name, limits=IntakeSettings(), blobs=blobs
    )
    if not result.ok or result.text_ref is None:
        return None
    text = blobs.get_text(result.text_ref.sha256)
    if result.layout_ref is not None:
        layout = Layout.from_bytes(blobs.get(result.layout_ref.sha256))
    else:
        layout = text_layout(text)
    return Page(doc, text, layout, result.method, result)


def extract(page: Page) -> ExtractionResult:
    """The rules extractor's answer as the workflow's extraction step returns it."""
    result = extract_with_rules(page.text, filename=page.doc.path.name, layout=page.layout)
    return with_hidden_text(result, page.document)


def approved_invoice(doc: PageDoc) -> Invoice:
    """What a person approves: the ground truth, in vouchflow's conventions."""
    credit = (doc.truth.get("total_minor") or 0) < 0
    truth = in_our_convention(doc.truth, credit)
    data = {f: truth.get(f) for f in (*KEY, *OTHER)}
    data["document_type"] = "credit_note" if credit else "invoice"
    return Invoice.model_validate(data)


# ---- routing ----------------------------------------------------------------------


@dataclass
class RouteTally:
    auto: int = 0
    auto_right: int = 0
    n: int = 0
    wrong_auto: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def line(self) -> str:
        precision = _pct(self.auto_right, self.auto) if self.auto else "- (none drafted)"
        return (
            f"automation {self.auto}/{self.n} {_pct(self.auto, self.n)};"
            f" auto-route precision {self.auto_right}/{self.auto} {precision}"
        )


def _settings(known: Iterable[str] | None) -> Any:
    settings = load_settings(None)
    routing = settings.routing
    limits = dict.fromkeys(
        ("EUR", "USD", "GBP", "SEK", "DKK", "HUF", "CHF", "INR", "NOK", "PLN"), HIGH_LIMIT
    )
    names = list(routing.known_suppliers) + list(known or [])
    return settings.model_copy(
        update={
            "routing": routing.model_copy(
                update={"auto_draft_limit_minor": limits, "known_suppliers": names}
            )
        }
    )


def route(
    extraction: ExtractionResult, page: Page, settings: Any, learned: str | None
) -> tuple[str, list[str]]:
    issue = extraction.invoice.issue_date
    today = issue + dt.timedelta(days=5) if issue else dt.date(2026, 1, 1)
    assessment = assess(
        extraction,
        duplicates=[],
        today=today,
        settings=settings,
        text_method=page.method,
        learned_supplier=learned,
    )
    return assessment.decision.route, assessment.decision.reasons


def tally_route(
    tally: RouteTally, where: str, decided: tuple[str, list[str]], scored: Scored
) -> None:
    outcome, reasons = decided
    for reason in reasons:
        tally.reasons[reason.split(":")[0].split(" is ")[0][:60]] += 1
    tally.n += 1
    if outcome == "auto_draft":
        tally.auto += 1
        if scored.key_ok:
            tally.auto_right += 1
        else:
            tally.wrong_auto.append(f"{where}: {'; '.join(scored.misses)}")


# ---- the report ----------------------------------------------------------------------


def group_of(doc: PageDoc) -> str:
    return f"{doc.split} {doc.kind}"


def family_key(doc: PageDoc) -> str:
    """Invoices of one supplier in one layout: the supplier part of the family, plus the
    viewer and language for renderings (each viewer is its own layout). The fresh set's
    families stay apart from the first set's, even for a supplier both hold: a template
    learned on one set must not decide a reading scored in the other."""
    supplier = doc.family.split("|")[0].strip()
    if "@" in doc.id:
        key = f"{supplier}@{doc.id.split('@', 1)[1]}"
        return f"fresh:{key}" if doc.split == "fresh" else key
    return f"{supplier}@{doc.path.name.split('_', 1)[0]}"


FIRST_BUNDLED = "first sight, bundled settings"
FIRST_ALL_KNOWN = "first sight, every supplier known"
SECOND = "second invoice, supplier learned"


def route_tallies() -> dict[str, RouteTally]:
    return {FIRST_BUNDLED: RouteTally(), FIRST_ALL_KNOWN: RouteTally(), SECOND: RouteTally()}


def print_routes(routes: dict[str, RouteTally], out: Out, verbose: bool, indent: str) -> None:
    for name, tally in routes.items():
        out(f"{indent}{name:<36} {tally.line()}")
        for wrong in tally.wrong_auto:
            out(f"{indent}  WRONG AUTO-DRAFT {wrong}")
        if verbose:
            for reason, n in sorted(tally.reasons.items(), key=lambda kv: -kv[1])[:12]:
                out(f"{indent}  {n:>4} x {reason}")


def einvoice_table(corpus: Path) -> Table:
    import json

    table = Table("1. e-invoice path (XML read exactly)")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    from evals.page_split import split_of

    for raw in manifest["documents"]:
        if not raw.get("recommended_for_scoring"):
            continue
        path = corpus / raw["file"]
        if path.suffix.lower() == ".xml":
            xml: bytes | None = path.read_bytes()
        else:
            found = extract_embedded_xml(path.read_bytes())
            xml = found[1] if found else None
        if xml is None:
            continue
        family = str(raw.get("family") or raw["id"])
        doc = PageDoc(
            id=raw["id"],
            path=path,
            kind="designed",
            split=split_of(family),
            family=family,
            language=raw.get("language"),
            truth=raw["ground_truth"],
            labeled=frozenset(raw["labeled_fields"]),
        )
        try:
            invoice = parse_einvoice(xml).invoice
        except EInvoiceError:
            invoice = Invoice()
        table.add(f"{doc.split} xml", score(doc, invoice))
    return table


def report(
    corpus: Path, renderings: Path | None, verbose: bool, out: Out = print
) -> dict[str, Any]:
    docs = page_docs(corpus)
    if renderings:
        docs += rendering_docs(renderings) + fresh_rendering_docs(renderings / "fresh")
    first = Table("2. text path at first sight (page only)")
    second = Table("3. text path on a second invoice of a learned supplier")
    routes, fresh_routes = route_tallies(), route_tallies()

    def tallies(doc: PageDoc) -> dict[str, RouteTally]:
        return fresh_routes if doc.split == "fresh" else routes

    bundled, all_known = _settings(None), None
    families: dict[str, list[Page]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        blobs = LocalBlobStore(Path(tmp))
        for doc in docs:
            page = read_page(doc, blobs)
            if page is None:
                continue
            result = extract(page)
            scored = score(doc, result.invoice)
            first.add(group_of(doc), scored)
            tally_route(
                tallies(doc)[FIRST_BUNDLED],
                doc.path.name,
                route(result, page, bundled, None),
                scored,
            )
            all_known = _settings([doc.truth.get("supplier_name") or ""])
            tally_route(
                tallies(doc)[FIRST_ALL_KNOWN],
                doc.path.name,
                route(result, page, all_known, None),
                scored,
            )
            families[family_key(doc)].append(page)
        for pages in families.values():
            if len(pages) < 2:
                continue
            pages.sort(key=lambda p: p.doc.id)
            teacher = pages[0]
            template = learn_template(
                teacher.layout, teacher.text, approved_invoice(teacher.doc), None
            )
            for page in pages[1:]:
                result = extract(page)
                reading = read_with_template(template, page.layout, page.text)
                check = check_against_template(result, reading, template)
                checked = apply_template_check(result, check)
                scored = score(page.doc, checked.invoice)
                second.add(group_of(page.doc), scored)
                tally_route(
                    tallies(page.doc)[SECOND],
                    page.doc.path.name,
                    route(checked, page, bundled, template.supplier_name),
                    scored,
                )
    xml = einvoice_table(corpus)
    for table in (xml, first, second):
        table.print(out, verbose)
    out("\n4. routing (validation, confidence and routing rules as in the workflow)")
    print_routes(routes, out, verbose, "  ")
    if any(tally.n for tally in fresh_routes.values()):
        out("  fresh viewer (evals/renderings/fresh)")
        print_routes(fresh_routes, out, verbose, "    ")
    return {
        "first": first,
        "second": second,
        "routes": routes,
        "fresh_routes": fresh_routes,
        "xml": xml,
    }


def main(argv: list[str] | None = None, out: Out = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--renderings", type=Path, default=Path(__file__).resolve().parent / "renderings"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.json").exists():
        out(f"no corpus manifest under {args.corpus}")
        return
    report(args.corpus, args.renderings, args.verbose, out)


if __name__ == "__main__":
    main()
