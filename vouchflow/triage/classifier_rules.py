"""The embedded default classifier: deterministic keyword rules, no model.

It is labelled as what it is in every output: the classifier info says
``deterministic rules classifier (no model)`` and every reason starts with
``[rules, no model]``, so nobody mistakes a keyword match for a model's judgement.

Confidence says how clearly one category won: each distinct keyword of a category
counts once; a clear winner with several hits scores high, a tie or a single weak hit
scores below the review threshold, no hit at all is ``other`` at 0.30. Instruction-like
text (prompt injection) is detected as for invoices and flagged: routing sends a
flagged ticket to a person whatever the confidence.
"""

from __future__ import annotations

import re
import unicodedata

from schemas.triage.classification import (
    MAX_REASON_CHARS,
    ClassificationResult,
    ClassifierInfo,
    TicketClassification,
)
from schemas.triage.events import TicketV1
from vouchflow.invoice.extraction.injection import detect_injection

LABEL = "deterministic rules classifier (no model)"
REASON_PREFIX = "[rules, no model] "
INFO = ClassifierInfo(kind="rules", name="rules", label=LABEL)

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "billing": (
        "invoice",
        "invoiced",
        "charge",
        "charged",
        "charged twice",
        "double charge",
        "refund",
        "billing",
        "payment",
        "credit card",
        "receipt",
        "overcharged",
        "subscription fee",
        "vat",
        "rechnung",
        "facture",
    ),
    "bug": (
        "bug",
        "error",
        "crash",
        "crashes",
        "broken",
        "exception",
        "stack trace",
        "not working",
        "doesn't work",
        "does not work",
        "500",
        "fails",
        "regression",
    ),
    "sales": (
        "pricing",
        "quote",
        "upgrade",
        "demo",
        "purchase",
        "buy",
        "licenses",
        "seats",
        "discount",
        "contract",
        "trial",
    ),
    "account": (
        "password",
        "log in",
        "login",
        "locked out",
        "two-factor",
        "2fa",
        "sso",
        "username",
        "delete my account",
        "close my account",
        "account",
        "email address",
    ),
    "how_to": (
        "how do i",
        "how to",
        "how can i",
        "where is",
        "where can i",
        "documentation",
        "tutorial",
        "is it possible",
        "guide",
        "set up",
        "export",
    ),
}
_URGENCY: dict[str, tuple[str, ...]] = {
    "high": (
        "urgent",
        "urgently",
        "asap",
        "immediately",
        "emergency",
        "critical",
        "outage",
        "production is down",
        "charged twice",
        "double charge",
        "locked out",
        "data loss",
        "dringend",
    ),
    "medium": ("soon", "blocking", "blocked", "today", "deadline", "error", "fails"),
}


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])" + re.escape(phrase) + r"(?![\w])")


_CATEGORY_PATTERNS = {c: [(k, _pattern(k)) for k in ks] for c, ks in _KEYWORDS.items()}
_URGENCY_PATTERNS = {u: [(k, _pattern(k)) for k in ks] for u, ks in _URGENCY.items()}


def normalise(text: str) -> str:
    """Case-folded NFKC text without invisible characters: a zero-width space or a
    full-width letter must not hide a keyword (or an injection) from the rules."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))
    return " ".join(text.casefold().replace("\u2019", "'").split())


def _hits(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> list[str]:
    return [word for word, pattern in patterns if pattern.search(text)]


def _confidence(best: int, second: int) -> float:
    if best == 0:
        return 0.30
    return round(min(0.95, max(0.20, 0.55 + 0.10 * best - 0.15 * second)), 2)


def _clip(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


def classify_with_rules(ticket: TicketV1) -> ClassificationResult:
    text = normalise(f"{ticket.subject}\n{ticket.body}")
    hits = {category: _hits(text, patterns) for category, patterns in _CATEGORY_PATTERNS.items()}
    ranked = sorted(hits.items(), key=lambda item: (-len(item[1]), list(_KEYWORDS).index(item[0])))
    (best_category, best_hits), (_, second_hits) = ranked[0], ranked[1]
    urgency, urgency_hits = "low", []
    for level in ("high", "medium"):
        found = _hits(text, _URGENCY_PATTERNS[level])
        if found:
            urgency, urgency_hits = level, found
            break
    category = best_category if best_hits else "other"
    confidence = _confidence(len(best_hits), len(second_hits))
    if best_hits:
        why = f"{category}: matched {', '.join(repr(h) for h in best_hits[:4])}"
        if second_hits:
            why += f"; also {ranked[1][0]} ({len(second_hits)})"
    else:
        why = "no category keyword matched"
    why += f"; urgency {urgency}"
    if urgency_hits:
        why += f" from {', '.join(repr(h) for h in urgency_hits[:3])}"
    flags = detect_injection(text)
    return ClassificationResult(
        classification=TicketClassification(
            category=category,
            urgency=urgency,
            confidence=confidence,
            reason=_clip(REASON_PREFIX + why),
        ),
        classifier=INFO,
        injection_flags=flags,
    )
