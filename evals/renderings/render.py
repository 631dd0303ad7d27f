#!/usr/bin/env python3
"""Render the corpus's standalone e-invoice XMLs (CII / UBL) into "e-invoice viewer" PDFs.

Each XML is turned into HTML by a public viewer stylesheet (kept unchanged in ``xsl/``), run with
Saxon (PyPI ``saxonche``), and printed to PDF by headless Chromium - the way someone who only
received the XML would print it from a viewer. The PDFs carry no XML: only their page text counts.

Viewers (see README.md for origin, commit and licence of each stylesheet):

* ``kosit``   - KoSIT XRechnung visualisation (UBL/CII -> XR -> HTML), German and English.
* ``bfo``     - BFO publisher-extra Factur-X invoice stylesheet (CII -> XHTML, print CSS), English.
* ``unimaze`` - UniStyles PEPPOL BIS Billing 3 stylesheet (UBL -> HTML), English.

Usage (needs ``pip install saxonche pypdf`` in some venv, and ``chromium`` on PATH)::

    python evals/renderings/render.py                 # render everything, check, write manifest
    python evals/renderings/render.py --check-only    # re-run the text-layer check on existing PDFs

Ground truth is copied from the corpus manifest, never recomputed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = Path("/work/shared/corpus")
XSL = HERE / "xsl"
PDF_DIR = HERE / "pdf"
MANIFEST = HERE / "manifest.json"

NS_CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS_UBL_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_UBL_CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_XR = "urn:ce.eu:en16931:2017:xoev-de:kosit:standard:xrechnung-1"

VIEWERS = {
    "kosit": {
        "name": "KoSIT XRechnung visualization (xrechnung-html.xsl)",
        "repo": "itplr-kosit/xrechnung-visualization",
        "commit": "41b81de1e97df8dcc2c02b81c20c73ecbd09e3b1",
        "license": "Apache-2.0",
        "license_file": "xsl/kosit/LICENSE",
        "formats": {"CII", "UBL-Invoice", "UBL-CreditNote"},
        "langs": ["de", "en"],
    },
    "bfo": {
        "name": "BFO publisher-extra Factur-X sample stylesheet (factur-x/invoice.xsl + invoice.css)",
        "repo": "bfocom/publisher-extra",
        "commit": "221f89e4a5a757db4e69793a283dfdb961d14f40",
        "license": "Apache-2.0",
        "license_file": "xsl/bfo/LICENSE",
        "formats": {"CII"},
        "langs": ["en"],
    },
    "unimaze": {
        "name": "UniStyles PEPPOL BIS Billing 3 stylesheet by Unimaze (templates/render-billing-3.xsl)",
        "repo": "SingleFaceToIndustry/SFTI-repository",
        "commit": "04058486890f1da584656f9401b796a11d66f920",
        "license": "GPL-3.0-or-later",
        "license_file": "xsl/unimaze/LICENSE",
        "formats": {"UBL-Invoice", "UBL-CreditNote"},
        "langs": ["en"],
    },
}

KOSIT_TO_XR = {
    "CII": "cii-xr.xsl",
    "UBL-Invoice": "ubl-invoice-xr.xsl",
    "UBL-CreditNote": "ubl-creditnote-xr.xsl",
}


class Skip(Exception):
    """The viewer cannot render this XML (reason in the message)."""


# --------------------------------------------------------------------------- corpus


def xml_only_documents() -> list[dict]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [d for d in manifest["documents"] if (d.get("layout") or "").startswith("xml_only")]


def root_format(path: Path) -> str | None:
    """Format from the XML root element (not from the manifest's label)."""
    import xml.etree.ElementTree as ET

    for _event, elem in ET.iterparse(path, events=("start",)):
        tag = elem.tag
        break
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if ns == NS_CII and local == "CrossIndustryInvoice":
        return "CII"
    if ns == NS_UBL_INV and local == "Invoice":
        return "UBL-Invoice"
    if ns == NS_UBL_CN and local == "CreditNote":
        return "UBL-CreditNote"
    return None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- XSLT


class Saxon:
    def __init__(self):
        from saxonche import PySaxonProcessor

        self.proc = PySaxonProcessor(license=False)
        self.xslt = self.proc.new_xslt30_processor()
        self._compiled: dict[Path, object] = {}

    def transform(
        self, stylesheet: Path, source: Path, params: dict[str, str] | None = None
    ) -> str:
        exe = self._compiled.get(stylesheet)
        if exe is None:
            exe = self.xslt.compile_stylesheet(stylesheet_file=str(stylesheet))
            self._compiled[stylesheet] = exe
        exe.clear_parameters()
        for key, value in (params or {}).items():
            exe.set_parameter(key, self.proc.make_string_value(value))
        exe.set_save_xsl_message(True)
        try:
            out = exe.transform_to_string(source_file=str(source))
        except Exception as exc:
            messages = exe.get_xsl_messages()
            text = "; ".join(m.string_value.strip() for m in (messages or []) if m is not None)
            raise RuntimeError(f"{text or exc}") from exc
        finally:
            exe.clear_xsl_messages()
        if out is None:
            raise Skip(f"{stylesheet.name}: transformation produced no output")
        return out


def html_kosit(saxon: Saxon, xml: Path, fmt: str, lang: str, work: Path) -> Path:
    try:
        xr = saxon.transform(XSL / "kosit" / KOSIT_TO_XR[fmt], xml)
    except Skip:
        raise
    except Exception as exc:  # saxonche raises PySaxonApiError
        raise Skip(f"{KOSIT_TO_XR[fmt]} failed: {exc}") from exc
    if f'xmlns:xr="{NS_XR}"' not in xr or "<xr:invoice" not in xr or "<xr:Invoice_number" not in xr:
        raise Skip(
            f"{KOSIT_TO_XR[fmt]} produced no XR invoice (root not matched by the stylesheet)"
        )
    xr_path = work / "invoice.xr.xml"
    xr_path.write_text(xr, encoding="utf-8")
    try:
        html = saxon.transform(XSL / "kosit" / "xrechnung-html.xsl", xr_path, {"lang": lang})
    except Exception as exc:
        raise Skip(f"xrechnung-html.xsl failed: {exc}") from exc
    out = work / "invoice.html"
    out.write_text(html, encoding="utf-8")
    return out


def html_bfo(saxon: Saxon, xml: Path, fmt: str, lang: str, work: Path) -> Path:
    try:
        xhtml = saxon.transform(XSL / "bfo" / "invoice.xsl", xml)
    except Exception as exc:
        raise Skip(f"invoice.xsl failed: {exc}") from exc
    if "<body" not in xhtml:
        raise Skip("invoice.xsl produced no page (root not matched)")
    shutil.copy(XSL / "bfo" / "invoice.css", work / "invoice.css")  # the stylesheet links it
    out = work / "invoice.xhtml"
    out.write_text(xhtml, encoding="utf-8")
    return out


def html_unimaze(saxon: Saxon, xml: Path, fmt: str, lang: str, work: Path) -> Path:
    try:
        html = saxon.transform(
            XSL / "unimaze" / "render-billing-3.xsl", xml, {"languageCode": lang}
        )
    except Exception as exc:
        raise Skip(f"render-billing-3.xsl failed: {exc}") from exc
    out = work / "invoice.html"
    out.write_text(html, encoding="utf-8")
    return out


RENDER_HTML = {"kosit": html_kosit, "bfo": html_bfo, "unimaze": html_unimaze}


# --------------------------------------------------------------------------- Chromium


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("chromium not found: run `make browser` in the repository root (Debian package)")
    return exe


A4_STYLE = "<style>@page { size: A4; }</style>"


def set_a4(page: Path) -> None:
    """Choose A4 paper, as a European print dialog would (Chromium's default is Letter).

    Only done when the viewer's own CSS sets no @page; nothing else in the page is touched."""
    html = page.read_text(encoding="utf-8")
    css = html + "".join(p.read_text(encoding="utf-8") for p in page.parent.glob("*.css"))
    if "@page" in css:
        return
    html, n = re.subn(r"(<head\b[^>]*>)", lambda m: m.group(1) + A4_STYLE, html, count=1)
    if n:
        page.write_text(html, encoding="utf-8")


def print_pdf(browser: str, page: Path, pdf: Path, profile: Path) -> None:
    pdf.parent.mkdir(parents=True, exist_ok=True)
    set_a4(page)
    if pdf.exists():
        pdf.unlink()
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",  # no file:// URL / print date in the margins
        "--virtual-time-budget=3000",  # let the viewer's onload script run
        f"--print-to-pdf={pdf}",
        page.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise RuntimeError(
            f"chromium did not write {pdf.name}: rc={proc.returncode} {proc.stderr[-500:]}"
        )


# --------------------------------------------------------------------------- text-layer check


def amount_variants(minor: int) -> list[str]:
    """Ways a viewer may print an amount given in minor units (2 decimals)."""
    sign = "-" if minor < 0 else ""
    major, cents = divmod(abs(minor), 100)
    plain = str(major)
    grouped_en = f"{major:,}"
    grouped_de = grouped_en.replace(",", ".")
    grouped_sp = grouped_en.replace(",", " ")
    out = []
    seps = (
        (grouped_de, ","),
        (grouped_en, "."),
        (plain, ","),
        (plain, "."),
        (grouped_sp, ","),
        (grouped_sp, "."),
    )
    for m, dec in seps:
        out.append(f"{sign}{m}{dec}{cents:02d}")
    if (
        cents % 10 == 0
    ):  # some viewers drop the trailing zero (10,157.5); listed last, reported as printed
        for m, dec in seps:
            out.append(f"{sign}{m}{dec}{cents // 10}")
    return list(dict.fromkeys(out))


def check_pdf(pdf: Path, gt: dict) -> dict:
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    text = "\n".join((p.extract_text() or "") for p in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    squashed = re.sub(r"\s+", "", text)
    number = gt.get("invoice_number")
    total = gt.get("total_minor")
    number_found = bool(number) and (number in flat or re.sub(r"\s+", "", number) in squashed)
    total_found = None
    total_as_printed = None
    if total is not None:
        for variant in amount_variants(total) + amount_variants(-total):
            if variant in flat or variant.replace(" ", "") in squashed:
                total_found, total_as_printed = True, variant
                break
        else:
            total_found = False
    lines = gt.get("line_items") or []

    def norm(t):
        return re.sub(r"\W+", "", t).lower()

    flat_norm = norm(text)
    lines_visible = sum(
        1 for li in lines if li.get("description") and norm(li["description"])[:24] in flat_norm
    )
    return {
        "pages": len(reader.pages),
        "text_chars": len(text.strip()),
        "has_text_layer": len(text.strip()) > 0,
        "invoice_number_in_text": number_found,
        "total_in_text": total_found,
        "total_as_printed": total_as_printed,
        "line_descriptions_in_text": f"{lines_visible}/{len(lines)}",
    }


# --------------------------------------------------------------------------- main


def xml_licence_file(doc: dict) -> str:
    return "LICENSES/" + Path(doc["license_file"]).name


def entry_for(doc: dict, fmt: str, viewer: str, lang: str, pdf: Path) -> dict:
    v = VIEWERS[viewer]
    return {
        "file": str(pdf.relative_to(HERE)),
        "source_corpus_id": doc["id"],
        "source_corpus_file": doc["file"],
        "source_sha256": sha256(CORPUS / doc["file"]),
        "source_repo": doc["source_repo"],
        "source_commit": doc["source_commit"],
        "source_path": doc["source_path"],
        "xml_format": fmt,
        "profile": doc.get("profile"),
        "document_type_code": doc.get("document_type_code"),
        "viewer": viewer,
        "viewer_stylesheet": f"{v['name']} - github.com/{v['repo']} @ {v['commit']}",
        "language": lang,
        "xml_license": doc["license"],
        "xml_license_file": xml_licence_file(doc),
        "stylesheet_license": v["license"],
        "stylesheet_license_file": v["license_file"],
        "family": doc.get("family"),
        "recommended_for_scoring": doc.get("recommended_for_scoring"),
        "labeled_fields": doc.get("labeled_fields"),
        "line_items_labeled": doc.get("line_items_labeled"),
        "quality_flags": doc.get("quality_flags"),
        "ground_truth": doc["ground_truth"],
    }


def summarise_checks(entries: list[dict]) -> tuple[dict[str, int], list[dict]]:
    """PDFs per viewer and language, and the ones whose text check failed."""
    summary: dict[str, int] = {}
    for e in entries:
        key = f"{e['viewer']}.{e['language']}"
        summary[key] = summary.get(key, 0) + 1
    failures = [
        {
            "file": e["file"],
            "invoice_number_in_text": e["text_check"]["invoice_number_in_text"],
            "total_in_text": e["text_check"]["total_in_text"],
        }
        for e in entries
        if not (
            e["text_check"]["has_text_layer"]
            and e["text_check"]["invoice_number_in_text"]
            and e["text_check"]["total_in_text"]
        )
    ]
    return summary, failures


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--check-only",
        action="store_true",
        help="only re-check existing PDFs and rewrite the manifest",
    )
    ap.add_argument(
        "--viewer", action="append", choices=sorted(VIEWERS), help="limit to these viewers"
    )
    ap.add_argument("--only", help="limit to corpus files whose name contains this string")
    args = ap.parse_args()

    viewers = args.viewer or list(VIEWERS)
    docs = xml_only_documents()
    if args.only:
        docs = [d for d in docs if args.only in d["file"]]

    saxon = None if args.check_only else Saxon()
    browser = None if args.check_only else chromium()

    entries: list[dict] = []
    skipped: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="renderings-") as tmp:
        tmp = Path(tmp)
        for doc in docs:
            xml = CORPUS / doc["file"]
            stem = Path(doc["file"]).stem
            fmt = root_format(xml)
            for viewer in viewers:
                v = VIEWERS[viewer]
                if fmt is None or fmt not in v["formats"]:
                    skipped.append(
                        {
                            "source_corpus_file": doc["file"],
                            "viewer": viewer,
                            "kind": "format_not_supported",
                            "reason": f"root element is {fmt or 'not CII/UBL 2.1 (' + doc['format'] + ')'}; "
                            f"{viewer} renders {', '.join(sorted(v['formats']))} only",
                        }
                    )
                    continue
                for lang in v["langs"]:
                    pdf = PDF_DIR / f"{stem}.{viewer}.{lang}.pdf"
                    if not args.check_only:
                        work = tmp / f"{stem}.{viewer}.{lang}"
                        work.mkdir()
                        try:
                            page = RENDER_HTML[viewer](saxon, xml, fmt, lang, work)
                        except Skip as exc:
                            skipped.append(
                                {
                                    "source_corpus_file": doc["file"],
                                    "viewer": viewer,
                                    "language": lang,
                                    "kind": "stylesheet_failed",
                                    "reason": str(exc),
                                }
                            )
                            print(f"SKIP {stem} {viewer} {lang}: {exc}", file=sys.stderr)
                            continue
                        print_pdf(browser, page, pdf, tmp / "chromium-profile")
                    if not pdf.exists():
                        continue
                    entry = entry_for(doc, fmt, viewer, lang, pdf)
                    entry["text_check"] = check_pdf(pdf, doc["ground_truth"])
                    entries.append(entry)
                    tc = entry["text_check"]
                    print(
                        f"{pdf.name}: pages={tc['pages']} chars={tc['text_chars']} "
                        f"number={tc['invoice_number_in_text']} total={tc['total_in_text']} "
                        f"lines={tc['line_descriptions_in_text']}"
                    )

    if args.check_only and MANIFEST.exists():
        skipped = json.loads(MANIFEST.read_text(encoding="utf-8")).get("skipped", skipped)

    summary, failures = summarise_checks(entries)
    out = {
        "description": (
            "E-invoice viewer renderings: the corpus's standalone CII/UBL XML e-invoices printed to PDF through "
            "public viewer stylesheets (Saxon + headless Chromium). The PDFs carry no XML; ground truth is copied "
            "unchanged from /work/shared/corpus/manifest.json. See README.md."
        ),
        "viewers": {
            k: {kk: vv for kk, vv in v.items() if kk != "formats"}
            | {"formats": sorted(v["formats"])}
            for k, v in VIEWERS.items()
        },
        "count": len(entries),
        "count_by_viewer_language": dict(sorted(summary.items())),
        "text_check_failures": failures,
        "skipped": skipped,
        "documents": entries,
    }
    MANIFEST.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"{len(entries)} PDFs, {len(skipped)} skipped, {len(failures)} text-check failures -> {MANIFEST}"
    )


if __name__ == "__main__":
    main()
