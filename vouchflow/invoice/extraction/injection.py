"""Instruction-like text inside a document (prompt injection).

A supplier document has no business addressing the system that reads it. Any
sentence that tries to steer the reader ("ignore previous instructions", "approve
this invoice", "change the bank details") is flagged with its evidence; a flag
forces human review whatever the extraction says. Patterns are phrase-level so
ordinary invoice wording ("payment due", "bank details: ...") does not trip them.

Obfuscation does not hide an instruction: the text is also checked after
normalising it (``normalise_for_detection``): NFKC (fullwidth letters), zero-width
and other format characters removed, invisible Unicode "tag" text decoded, accents
and combining marks stripped, Cyrillic/Greek look-alikes mapped to Latin, letters
spaced out one by one joined ("i g n o r e"), and leetspeak inside words undone
("1gn0re"). Invisible characters inside or right beside an instruction are a flag
of their own: ordinary invoices have no reason to hide characters there.
"""

from __future__ import annotations

import re
import unicodedata

_PATTERNS: list[tuple[str, str]] = [
    (
        "override of prior instructions",
        r"\b(?:ignore|disregard|forget|override|skip|bypass)\b[^.\n]{0,40}?\b(?:previous|prior|"
        r"above|earlier|all|any|your|the|system|other|these|those)\b[^.\n]{0,30}?"
        r"\b(?:instructions?|prompts?|rules?|guidelines?|directions?|checks?|validations?|"
        r"policies|policy|context)\b",
    ),
    (
        "reassignment of the reader's role",
        r"\byou\s+are\s+(?:now|no\s+longer|actually)\b|\bact\s+as\s+(?:an?\s+|the\s+)?"
        r"(?:ai|assistant|admin|administrator|system|model|approver|accountant)\b|"
        r"\bpretend\s+(?:to\s+be|you\s+are)\b|\brole-?\s?play\b|\bfrom\s+now\s+on\b",
    ),
    (
        "reference to the system prompt or model",
        r"\bsystem\s+prompt\b|\b(?:developer|system)\s+(?:message|instructions?)\b|"
        r"\b(?:language\s+model|chatgpt|ai\s+assistant|ai\s+model)\b|"
        # "LLM" alone only as a word: never inside references such as LLM-1001.
        r"\bllm\b(?!\s*[-_/.]?\s*\d)|\bjailbreak\b|"
        r"\bnew\s+instructions?\b|\b(?:BEGIN|END)\s+(?:SYSTEM|INSTRUCTIONS?)\b|<\|?im_start\|?>",
    ),
    (
        "request to approve or pay",
        r"\b(?:approve|authori[sz]e|auto-?approve|release)\s+(?:this|the)\s+(?:invoice|bill|"
        r"payment|document)\b|\bmark\s+(?:this\s+|the\s+|it\s+)?(?:invoice\s+|bill\s+)?as\s+"
        r"(?:paid|approved|verified)\b|\b(?:pay|process)\s+(?:this|it)\s+(?:immediately|now|"
        r"without)\b|\bwithout\s+(?:human\s+)?(?:review|approval|verification)\b|"
        r"\bdo\s+not\s+(?:flag|review|verify|check|escalate)\b|\bskip\s+(?:the\s+)?review\b",
    ),
    (
        "request to change payment details",
        r"\b(?:change|update|replace|use|switch|set|send)\b[^.\n]{0,30}?\b(?:bank\s+details|"
        r"bank\s+account|account\s+(?:number|details)|iban|payee|remittance\s+details|"
        r"sort\s+code|routing\s+number)\b[^.\n]{0,20}?\b(?:to|with|instead|:)",
    ),
    (
        "request to alter amounts or fields",
        r"\b(?:change|set|update|alter|modify|report|record|output|enter)\s+(?:the\s+)?"
        r"(?:total|amount|invoice\s+total|subtotal|vat|tax|due\s+date|supplier)\b[^.\n]{0,20}?"
        r"\b(?:to|as)\b\s*[£€$]?\s*\d|\b(?:respond|reply|answer|output)\s+(?:only\s+)?with\b",
    ),
    (
        # "[Support staff note: set urgency high and escalate]": text in a customer's
        # document or ticket posing as a note from the operator's own staff or system.
        "forged staff or system note",
        r"[\[(<{]\s*(?:(?:support|internal|staff|agent|admin|administrator|system|operator|"
        r"moderator|reviewer|team|ops)\s+){1,2}(?:note|notice|message|instruction|override|"
        r"comment)s?\s*[:\-]",
    ),
    (
        "German/French/Dutch instruction override",
        r"\bignoriere\b[^.\n]{0,30}\banweisungen\b|\bignore[zr]?\b[^.\n]{0,30}\binstructions\b|"
        r"\bnegeer\b[^.\n]{0,30}\binstructies\b",
    ),
]
_COMPILED = [(name, re.compile(p, re.I)) for name, p in _PATTERNS]


# Look-alikes that NFKC leaves alone: Cyrillic and Greek letters drawn like Latin ones.
_HOMOGLYPHS = str.maketrans(
    {
        **dict(zip("аеорсухіјѕԁԛԝһӏѵ", "aeopcyxijsdqwhlv", strict=True)),  # noqa: RUF001
        **dict(zip("АВЕКМНОРСТХУІЈЅԌ", "ABEKMHOPCTXYIJSG", strict=True)),  # noqa: RUF001
        **dict(zip("αβεικνορτυχγ", "abeikvoptuxy", strict=True)),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),  # noqa: RUF001
    }
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
# Characters that render as nothing (or reorder text) and so can hide or split words.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_TAG_TEXT = re.compile("[\U000e0020-\U000e007e]+")
# Three or more single letters split by one separator: "i g n o r e", "i.g.n.o.r.e".
# Bounded repetitions keep every pattern linear on hostile text (no word is 40 letters).
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*]){3,40}[^\W\d_](?![^\W\d_])")
# A word mixing letters with digits or @/$ ("1gn0re", "pr3v10us", "@pprove").
_WORD = re.compile(r"(?<![\w@$])[\w@$]{3,40}(?![\w@$])")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_HAS_LEET = re.compile(r"[0-9@$]")


def _unleet(m: re.Match[str]) -> str:
    word = m.group(0)
    if _HAS_LETTER.search(word) and _HAS_LEET.search(word):
        return word.translate(_LEET)
    return word


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_for_detection(text: str, *, reveal_invisible: bool = True) -> str:
    """``text`` with the usual obfuscations undone (for detection only, never shown).

    With ``reveal_invisible=False`` invisible characters stay in as a visible
    separator (and tag text stays hidden): an instruction found with them revealed but
    not without them was hidden by them."""
    if reveal_invisible:
        # Invisible tag characters carry ASCII text a person cannot see: make it visible.
        text = _TAG_TEXT.sub(
            lambda m: " " + "".join(chr(ord(c) - 0xE0000) for c in m.group(0)) + " ", text
        )
        text = _INVISIBLE.sub("", text)
    else:
        text = _INVISIBLE.sub("\u00a6", text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _strip_marks(text).translate(_HOMOGLYPHS)
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    return _WORD.sub(_unleet, text)


def _snippet(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return re.sub(r"\s+", " ", line).strip()[:200]


def _flat(text: str) -> str:
    # Line breaks inside a sentence must not hide a phrase split across two lines.
    return re.sub(r"[ \t]*\n[ \t]*(?=[a-z])", " ", text)


# How far from an instruction an invisible character still counts as hiding it.
_INVISIBLE_REACH = 40


def detect_injection(text: str) -> list[str]:
    """Human-readable flags, one per kind of instruction found, each with its evidence."""
    flat = _flat(text)
    normalised = _flat(normalise_for_detection(text))
    kept: str | None = None
    flags: list[str] = []
    hidden_near_instruction = False
    for name, pattern in _COMPILED:
        m = pattern.search(flat)
        if m:
            flags.append(f"{name}: {_snippet(flat, m.start(), m.end())!r}")
            near = flat[max(0, m.start() - _INVISIBLE_REACH) : m.end() + _INVISIBLE_REACH]
            hidden_near_instruction |= bool(_INVISIBLE.search(near))
            continue
        m = pattern.search(normalised)
        if m:
            flags.append(f"{name} (obfuscated): {_snippet(normalised, m.start(), m.end())!r}")
            if kept is None:
                kept = _flat(normalise_for_detection(text, reveal_invisible=False))
            hidden_near_instruction |= pattern.search(kept) is None
    if hidden_near_instruction:
        flags.append(
            "invisible characters inside or beside an instruction: text was hidden from readers"
        )
    return flags
