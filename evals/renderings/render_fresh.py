#!/usr/bin/env python3
"""Render the XML e-invoices embedded in the corpus's PDFs into viewer PDFs: ``fresh/``.

A second held-out set next to the one ``render.py`` makes from the standalone XMLs: the CII
XML inside each Factur-X / ZUGFeRD PDF of the corpus is taken out with vouchflow's own
``extract_embedded_xml`` and printed through the same unchanged viewer stylesheets and the
same Saxon + headless Chromium pipeline (KoSIT de/en, BFO en). The PDFs carry no XML.

Run with the project's interpreter (it imports vouchflow); ``saxonche`` comes from a
separate, temporary venv so it never becomes a project dependency::

    python3 -m venv /tmp/render-venv && /tmp/render-venv/bin/pip install saxonche
    .venv/bin/python evals/renderings/render_fresh.py               # render, check, manifest
    .venv/bin/python evals/renderings/render_fresh.py --check-only  # re-check existing PDFs

Ground truth is copied from the corpus entry of the source PDF, never recomputed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import render  # the sibling generator: stylesheets, Saxon, Chromium, text check

HERE = render.HERE / "fresh"
PDF_DIR = HERE / "pdf"
MANIFEST = HERE / "manifest.json"
LICENSES = HERE / "LICENSES"
VIEWERS = ("kosit", "bfo")  # the viewers that render CII; UniStyles reads UBL only
DEFAULT_SAXONCHE_VENV = Path("/tmp/render-venv")


def use_saxonche_from(venv: Path) -> None:
    """Make ``saxonche`` importable from a separate venv of the same Python version.

    Appended (not prepended) to the path, so the project's own packages always win."""
    try:
        import saxonche  # noqa: F401
    except ImportError:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        site = venv / "lib" / version / "site-packages"
        if not (site / "saxonche").exists() and not list(site.glob("saxonche*.so")):
            sys.exit(
                f"saxonche not found in {site}: "
                f"python3 -m venv {venv} && {venv}/bin/pip install saxonche"
            )
        sys.path.append(str(site))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def embedded_xml_documents() -> list[tuple[dict, bytes]]:
    """Every corpus PDF that embeds an e-invoice XML, with that XML (from the original
    PDF, not its stripped copy)."""
    from vouchflow.documents.einvoice import extract_embedded_xml

    manifest = json.loads((render.CORPUS / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for doc in manifest["documents"]:
        if not doc["file"].lower().endswith(".pdf"):
            continue
        found = extract_embedded_xml((render.CORPUS / doc["file"]).read_bytes())
        if found is not None:
            out.append((doc, found[1]))
    return out


def not_in_set(doc: dict, fmt: str | None) -> tuple[str, str] | None:
    """Why a PDF with an embedded XML is left out of the set (kind, reason), or None."""
    if fmt != "CII":
        return "not_cii", (
            f"embedded XML is {fmt or 'not CII/UBL 2.1'}; this set renders the embedded CII "
            "(Factur-X / ZUGFeRD) invoices"
        )
    if not doc.get("file_noxml"):
        # The corpus's first 15 entries predate the XML-free copies. Their three CII PDFs
        # are FNFE "le fournisseur" samples (the set already has eight) and their seven
        # renderings would take it past ~8 MB, which would cost the German KoSIT copies.
        return "not_in_set", (
            "one of the corpus's original 15 entries (no XML-free copy); the set covers the "
            "30 e-invoice PDFs that have one, to stay under ~8 MB with both KoSIT languages"
        )
    return None


def entry_for(doc: dict, xml: bytes, fmt: str, viewer: str, lang: str, pdf: Path) -> dict:
    v = render.VIEWERS[viewer]
    licence = Path(doc["license_file"]).name
    return {
        "file": str(pdf.relative_to(HERE)),
        "source_corpus_id": doc["id"],
        "source_corpus_file": doc["file"],
        "source_sha256": sha256((render.CORPUS / doc["file"]).read_bytes()),
        "source_repo": doc["source_repo"],
        "source_commit": doc["source_commit"],
        "source_path": doc["source_path"],
        "embedded_xml_name": doc.get("embedded_xml_name"),
        "embedded_xml_sha256": sha256(xml),
        "xml_format": fmt,
        "profile": doc.get("profile"),
        "document_type_code": doc.get("document_type_code"),
        "source_layout": doc.get("layout"),
        "source_language": doc.get("language"),
        "viewer": viewer,
        "viewer_stylesheet": f"{v['name']} - github.com/{v['repo']} @ {v['commit']}",
        "language": lang,
        "xml_license": doc["license"],
        "xml_license_file": f"LICENSES/{licence}",
        "stylesheet_license": v["license"],
        "stylesheet_license_file": f"../{v['license_file']}",
        "family": doc.get("family"),
        "recommended_for_scoring": doc.get("recommended_for_scoring"),
        "labeled_fields": doc.get("labeled_fields"),
        "line_items_labeled": doc.get("line_items_labeled"),
        "quality_flags": doc.get("quality_flags"),
        "ground_truth": doc["ground_truth"],
    }


def copy_licence(doc: dict) -> None:
    LICENSES.mkdir(parents=True, exist_ok=True)
    source = render.CORPUS / doc["license_file"]
    shutil.copyfile(source, LICENSES / source.name)


def render_one(
    saxon: render.Saxon, browser: str, xml: Path, fmt: str, viewer: str, lang: str, tmp: Path
) -> Path:
    pdf = PDF_DIR / f"{xml.stem}.{viewer}.{lang}.pdf"
    work = tmp / f"{xml.stem}.{viewer}.{lang}"
    work.mkdir()
    page = render.RENDER_HTML[viewer](saxon, xml, fmt, lang, work)
    render.print_pdf(browser, page, pdf, tmp / "chromium-profile")
    return pdf


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--check-only", action="store_true", help="re-check existing PDFs only")
    ap.add_argument("--viewer", action="append", choices=VIEWERS, help="limit to these viewers")
    ap.add_argument("--only", help="limit to corpus files whose name contains this string")
    ap.add_argument(
        "--saxonche-venv",
        type=Path,
        default=Path(os.environ.get("SAXONCHE_VENV", DEFAULT_SAXONCHE_VENV)),
        help="venv that holds saxonche (default: $SAXONCHE_VENV or /tmp/render-venv)",
    )
    args = ap.parse_args()

    viewers = args.viewer or list(VIEWERS)
    docs = embedded_xml_documents()
    if args.only:
        docs = [(d, x) for d, x in docs if args.only in d["file"]]
    saxon = browser = None
    if not args.check_only:
        use_saxonche_from(args.saxonche_venv)
        saxon, browser = render.Saxon(), render.chromium()

    entries: list[dict] = []
    skipped: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="renderings-fresh-") as tmp_name:
        tmp = Path(tmp_name)
        for doc, data in docs:
            # Named after the PDF it came from, so each rendering points back to its source.
            xml = tmp / f"{Path(doc['file']).stem}.xml"
            xml.write_bytes(data)
            fmt = render.root_format(xml)
            reason = not_in_set(doc, fmt)
            if reason is not None:
                kind, why = reason
                skipped.append(
                    {
                        "source_corpus_file": doc["file"],
                        "viewer": "all",
                        "kind": kind,
                        "reason": why,
                    }
                )
                continue
            for viewer in viewers:
                for lang in render.VIEWERS[viewer]["langs"]:
                    pdf = PDF_DIR / f"{xml.stem}.{viewer}.{lang}.pdf"
                    if saxon is not None and browser is not None:
                        try:
                            pdf = render_one(saxon, browser, xml, fmt, viewer, lang, tmp)
                        except render.Skip as exc:
                            skipped.append(
                                {
                                    "source_corpus_file": doc["file"],
                                    "viewer": viewer,
                                    "language": lang,
                                    "kind": "stylesheet_failed",
                                    "reason": str(exc),
                                }
                            )
                            print(f"SKIP {xml.stem} {viewer} {lang}: {exc}", file=sys.stderr)
                            continue
                    if not pdf.exists():
                        continue
                    entry = entry_for(doc, data, fmt, viewer, lang, pdf)
                    entry["text_check"] = render.check_pdf(pdf, doc["ground_truth"])
                    entries.append(entry)
                    copy_licence(doc)
                    tc = entry["text_check"]
                    print(
                        f"{pdf.name}: pages={tc['pages']} chars={tc['text_chars']} "
                        f"number={tc['invoice_number_in_text']} total={tc['total_in_text']} "
                        f"lines={tc['line_descriptions_in_text']}"
                    )

    if args.check_only and MANIFEST.exists():
        skipped = json.loads(MANIFEST.read_text(encoding="utf-8")).get("skipped", skipped)
    write_manifest(entries, skipped)


def write_manifest(entries: list[dict], skipped: list[dict]) -> None:
    summary, failures = render.summarise_checks(entries)
    out = {
        "description": (
            "Fresh e-invoice viewer renderings: the CII XML embedded in the corpus's Factur-X / "
            "ZUGFeRD PDFs, extracted with vouchflow's extract_embedded_xml and printed to PDF "
            "through the unchanged public viewer stylesheets of ../xsl (Saxon + headless "
            "Chromium). The PDFs carry no XML; ground truth is copied unchanged from the corpus "
            "entry of the source PDF (/work/shared/corpus/manifest.json). See ../README.md."
        ),
        "viewers": {
            k: {kk: vv for kk, vv in v.items() if kk != "formats"}
            | {"formats": sorted(v["formats"]), "license_file": f"../{v['license_file']}"}
            for k, v in render.VIEWERS.items()
            if k in VIEWERS
        },
        "count": len(entries),
        "count_by_viewer_language": dict(sorted(summary.items())),
        "text_check_failures": failures,
        "skipped": skipped,
        "documents": entries,
    }
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(entries)} PDFs, {len(skipped)} skipped, {len(failures)} text-check failures")


if __name__ == "__main__":
    main()
