"""The development corpus's PDFs, split into a development part and a held-out test part.

The split is by supplier (the first part of ``family`` in the corpus manifest), so a
template seen while developing never reappears in the test part: a score there says how
the extractor does on layouts it was not tuned on. Which family goes where is decided by
a hash of its key, not by hand.

A third part, ``fresh``, is the second set of viewer renderings (``evals/renderings/fresh``:
the XML embedded in the corpus's Factur-X / ZUGFeRD PDFs, printed by the same viewers). It
was made after the extractor had been developed on the first set and is reported apart, so
it keeps measuring layouts nobody has tuned on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Split = Literal["dev", "test", "fresh"]
Kind = Literal["designed", "viewer"]
TEST_SHARE = 3  # one family in three is held out


@dataclass(frozen=True)
class PageDoc:
    id: str
    path: Path
    kind: Kind
    split: Split
    family: str
    language: str | None
    truth: dict[str, Any]
    labeled: frozenset[str]


def split_of(family: str) -> Split:
    # The family key is "supplier|number": the supplier part groups one template.
    supplier = family.split("|")[0].strip()
    digest = hashlib.sha256(supplier.encode("utf-8")).hexdigest()
    return "test" if int(digest[:8], 16) % TEST_SHARE == 0 else "dev"


def page_docs(corpus: Path) -> list[PageDoc]:
    """Every scorable PDF of the corpus, read from its XML-free copy when it has one."""
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    out: list[PageDoc] = []
    for doc in manifest["documents"]:
        file = doc.get("file_noxml") or doc["file"]
        if not file.lower().endswith(".pdf") or not doc.get("recommended_for_scoring"):
            continue
        family = str(doc.get("family") or doc["id"])
        layout = str(doc.get("layout") or "")
        out.append(
            PageDoc(
                id=str(doc["id"]),
                path=corpus / file,
                kind="viewer" if layout.startswith("xml_stylesheet") else "designed",
                split=split_of(family),
                family=family,
                language=doc.get("language"),
                truth=doc["ground_truth"],
                labeled=frozenset(doc["labeled_fields"]),
            )
        )
    return out


RENDERINGS = Path(__file__).resolve().parent / "renderings"
FRESH_RENDERINGS = RENDERINGS / "fresh"
DEVELOPMENT_VIEWERS = frozenset({"unimaze"})


def rendering_docs(folder: Path = RENDERINGS) -> list[PageDoc]:
    """The e-invoice viewer renderings (``evals/renderings``): standalone XML printed by
    public viewer stylesheets. The UniStyles renderings were used while developing (dates
    printed month-first, values under wide column headers); the KoSIT and BFO ones never
    were: they are the held-out part."""
    return _renderings(
        folder, lambda doc: "dev" if doc["viewer"] in DEVELOPMENT_VIEWERS else "test"
    )


def fresh_rendering_docs(folder: Path = FRESH_RENDERINGS) -> list[PageDoc]:
    """The fresh viewer renderings (``evals/renderings/fresh``), all in the ``fresh`` part:
    none of them has been looked at while developing the extractor."""
    return _renderings(folder, lambda _doc: "fresh")


def _renderings(folder: Path, split: Callable[[dict[str, Any]], Split]) -> list[PageDoc]:
    """The scorable entries of a renderings manifest (both sets share its shape)."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return [
        PageDoc(
            id=f"{doc['source_corpus_id']}@{doc['viewer']}.{doc['language']}",
            path=folder / doc["file"],
            kind="viewer",
            split=split(doc),
            family=str(doc.get("family") or doc["source_corpus_id"]),
            language=doc.get("language"),
            truth=doc["ground_truth"],
            labeled=frozenset(doc["labeled_fields"]),
        )
        for doc in manifest["documents"]
        if doc.get("recommended_for_scoring")
    ]
