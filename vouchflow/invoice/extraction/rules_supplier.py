"""Who issued the invoice: candidates from seller labels, legal-form names, web domains
and the document's first line, scored and the best one kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vouchflow.invoice.extraction.rules_labels import (
    BUYER_CONTEXT,
    DUE_DATE,
    INVOICE_NUMBER,
    INVOICE_TITLE,
    ISSUE_DATE,
    LEGAL_FORM,
    SUBTOTAL,
    SUPPLIER,
    SUPPLIER_HEADING,
    TAX,
    TOTAL,
)

_DOMAIN_RE = re.compile(r"(?:www\.|@|https?://(?:www\.)?)([a-z0-9\-]+)\.[a-z]{2,}", re.I)
_CUT_AFTER_NAME = re.compile(
    r"\s+(?:au\s+capital|-\s|\u2013|\u2014|\||,\s*\d|\d{2,}|registered|siège|sitz|tel\.?|phone)",
    re.I,
)
_REPRESENTATIVE = re.compile(r"\b(?:tax\s+rep\w*|représentant|representative|agent)\b", re.I)
_LABELISH = re.compile(r"[:]\s*$|^\W*$|@|https?://|www\.|\d{3,}")


@dataclass(frozen=True)
class Supplier:
    name: str
    source: str
    certainty: float


def _clean(name: str) -> str:
    name = re.split(r"\s{3,}", name.strip())[0]
    name = _CUT_AFTER_NAME.split(name, maxsplit=1)[0]
    return name.strip(" ,;:-*").strip()


def _plausible(name: str) -> bool:
    letters = sum(c.isalpha() for c in name)
    return letters >= 2 and len(name) <= 60 and len(name.split()) <= 7


def _name_with_legal_form(line: str) -> str | None:
    m = LEGAL_FORM.search(line)
    if not m:
        return None
    head = line[: m.end()]
    # The name is the run of words before the legal form, after any label.
    head = re.split(r":\s*|\s{2,}|\(|\bby\b|\bvon\b|\bpar\b", head)[-1]
    name = head.strip(" ,;-")
    return name if _plausible(name) and len(name) > len(m.group(0)) + 1 else None


def _is_label(name: str) -> bool:
    """Field labels and document titles are not names."""
    return bool(
        INVOICE_TITLE.match(name)
        or any(
            label.pattern.search(name)
            for group in (INVOICE_NUMBER, ISSUE_DATE, DUE_DATE, TOTAL, SUBTOTAL, TAX)
            for label in group
        )
    )


def _buyer_nearby(lines: list[str], index: int) -> bool:
    return any(BUYER_CONTEXT.search(lines[j]) for j in range(max(0, index - 3), index + 1))


def find_supplier(lines: list[str]) -> Supplier | None:
    text = "\n".join(lines)
    lowered = text.lower()
    domains = {d.lower().replace("-", "") for d in _DOMAIN_RE.findall(text)}
    scores: dict[str, tuple[float, str]] = {}

    def add(name: str, score: float, source: str) -> None:
        if _LABELISH.search(name.strip()) or name.strip().startswith("("):
            return
        name = _clean(name)
        if not _plausible(name) or _is_label(name):
            return
        key = name.lower()
        # Names that recur (header, footer, bank holder) are more likely the issuer's.
        bonus = 0.05 * min(lowered.count(key) - 1, 3)
        compact = re.sub(r"[^a-z0-9]", "", LEGAL_FORM.sub("", key))
        if compact and any(compact in d or (len(d) >= 4 and d in compact) for d in domains):
            bonus += 0.2
        total = min(score + bonus, 0.95)
        if total > scores.get(name, (0.0, ""))[0]:
            scores[name] = (total, source)

    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        for label in SUPPLIER:
            m = label.pattern.search(stripped)
            if not m:
                continue
            value = stripped[m.end() :].strip()
            if not value:
                value = next(
                    (
                        ln.strip()
                        for ln in lines[i + 1 : i + 4]
                        if ln.strip() and not ln.strip().startswith("(")
                    ),
                    "",
                )
            base = {4: 0.75, 3: 0.6, 2: 0.45}.get(label.rank, 0.4)
            legal = _name_with_legal_form(value)
            add(legal or value, base, stripped)
            break
        if SUPPLIER_HEADING.match(stripped) and len(stripped.split()) <= 6:
            below = next((ln.strip() for ln in lines[i + 1 : i + 3] if ln.strip()), "")
            # An address line or a tax representative's block is not the seller's name.
            if (
                below
                and not below[0].isdigit()
                and not _REPRESENTATIVE.search(stripped)
                and (BUYER_CONTEXT.search(stripped) or not _buyer_nearby(lines, i + 1))
            ):
                # In a "Seller | Customer" header the seller's column comes first.
                add(_name_with_legal_form(below) or below, 0.5, f"{stripped} {below}")
        legal = _name_with_legal_form(stripped)
        if legal:
            add(legal, 0.2 if _buyer_nearby(lines, i) else 0.45, stripped)
        elif 1 <= len(stripped.split()) <= 4 and not _buyer_nearby(lines, i):
            # A short bare line is a weak candidate; a matching web domain lifts it.
            add(stripped, 0.1, stripped)

    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first and not BUYER_CONTEXT.search(first):
        add(first, 0.3, first)
    if not scores:
        return None
    name, (score, source) = max(scores.items(), key=lambda kv: kv[1][0])
    return Supplier(name=name, source=source, certainty=round(score, 3))
