"""The customer's words prepared for the rules parser: folded and cut into sentences.

Folding makes the readers' word lists work across spellings: case-folded NFKC text with
invisible characters removed (as the triage rules read it) and accents stripped, so
"Décembre", "décembre" and "decembre" are one word, and "März" is "marz". Sentences are
cut at end punctuation, semicolons and line breaks, but not at the dot of a German or
Dutch ordinal ("ab 1. Januar") or of a month abbreviation ("Dec. 1"), which belong to a
date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vouchflow.invoice.extraction.numbers import MONTHS
from vouchflow.triage.classifier_rules import normalise


def words(text: str) -> frozenset[str]:
    """A word list written as one string (the lists are long, one word each)."""
    return frozenset(text.split())


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text (line breaks kept as sentence ends)."""
    lines = [normalise(line) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(strip_marks(line) for line in lines if line)


# Month names that end in a dot when abbreviated: the dot is not a sentence end.
_MONTH_WORDS = frozenset(strip_marks(name) for name in MONTHS)
_END = re.compile(r"[.!?\u2026]+(?=\s|$)|[;\n]")


def _inside_date(before: str, after: str) -> bool:
    """ "1. januar" (a day's dot before a month) or "dec. 1" (an abbreviation's dot
    before a day) is part of a date, not a sentence end."""
    last = before.rsplit(" ", 1)[-1]
    following = after.lstrip().split(" ", 1)[0].strip(".,")
    if last.isdigit():
        return following in _MONTH_WORDS
    return last in _MONTH_WORDS and following[:1].isdigit()


@dataclass(frozen=True)
class Sentence:
    start: int
    text: str
    # The punctuation that closed it ("?" marks a question).
    end_mark: str


def sentences(text: str) -> list[Sentence]:
    """`text` (folded) cut into sentences, each with its offset in `text`."""
    found: list[Sentence] = []
    start = 0
    for m in _END.finditer(text):
        before = text[start : m.start()]
        if m.group(0) == "." and _inside_date(before, text[m.end() :]):
            continue
        if before.strip():
            found.append(Sentence(start, before, m.group(0).strip()[-1:] or "\n"))
        start = m.end()
    if text[start:].strip():
        found.append(Sentence(start, text[start:], ""))
    return found
