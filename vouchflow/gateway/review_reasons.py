"""Why an item waits for a person, as a short kind the queue can be filtered by.

The routing rules (``vouchflow/invoice/rules/routing.py``, ``vouchflow/triage/rules.py``)
explain themselves in sentences with the amounts and names of the case in them; the
queue groups those sentences by what they are about. The patterns follow the rules'
wording, and the tests feed the rules' own output through them, so a reworded rule
shows up as a failing test rather than a silently "other" reason. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Kind -> label, in the order the filter lists them.
REASON_KINDS: dict[str, str] = {
    "amount_limit": "above the auto-draft limit",
    "unknown_supplier": "unknown supplier",
    "low_confidence": "low confidence",
    "uncertain_fields": "fields read without certainty",
    "validation": "validation errors",
    "injection": "possible prompt injection",
    "no_valid_output": "no valid model output",
    "extraction_problem": "extraction problems",
    "credit_or_sign": "credit note or non-positive total",
    "source_conflict": "e-invoice and page disagree",
    "truncated": "text cut at the size limit",
    "customer_context": "customer context missing",
    "other": "other",
}

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("injection", r"prompt injection|instruction-like text"),
        ("amount_limit", r"auto-draft limit"),
        ("unknown_supplier", r"is not a known supplier"),
        ("low_confidence", r"^confidence [0-9.]+ is below"),
        ("uncertain_fields", r"read without enough certainty"),
        ("validation", r"^validation error"),
        ("no_valid_output", r"produced no valid result|no classifier produced a valid"),
        ("extraction_problem", r"^extraction problem"),
        ("credit_or_sign", r"credit note|the total is (zero|negative)"),
        ("source_conflict", r"e-invoice XML and the visible text disagree"),
        ("truncated", r"cut at the size limit"),
        ("customer_context", r"customer's context could not be loaded"),
    )
)


def reason_kind(reason: str) -> str:
    for kind, pattern in _PATTERNS:
        if pattern.search(reason):
            return kind
    return "other"


def reason_kinds(reasons: Iterable[str]) -> list[str]:
    """The distinct kinds of a list of reasons, in REASON_KINDS order."""
    found = {reason_kind(r) for r in reasons}
    return [k for k in REASON_KINDS if k in found]
