"""Instruction-like text inside a document (prompt injection).

A supplier document has no business addressing the system that reads it. Any
sentence that tries to steer the reader ("ignore previous instructions", "approve
this invoice", "change the bank details") is flagged with its evidence; a flag
forces human review whatever the extraction says. Patterns are phrase-level so
ordinary invoice wording ("payment due", "bank details: ...") does not trip them.
"""

from __future__ import annotations

import re

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
        "German/French/Dutch instruction override",
        r"\bignoriere\b[^.\n]{0,30}\banweisungen\b|\bignore[zr]?\b[^.\n]{0,30}\binstructions\b|"
        r"\bnegeer\b[^.\n]{0,30}\binstructies\b",
    ),
]
_COMPILED = [(name, re.compile(p, re.I)) for name, p in _PATTERNS]


def _snippet(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return re.sub(r"\s+", " ", line).strip()[:200]


def detect_injection(text: str) -> list[str]:
    """Human-readable flags, one per kind of instruction found, each with its evidence."""
    # Line breaks inside a sentence must not hide a phrase split across two lines.
    flat = re.sub(r"[ \t]*\n[ \t]*(?=[a-z])", " ", text)
    flags: list[str] = []
    for name, pattern in _COMPILED:
        m = pattern.search(flat)
        if m:
            flags.append(f"{name}: {_snippet(flat, m.start(), m.end())!r}")
    return flags
