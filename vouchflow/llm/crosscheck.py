"""Field-by-field agreement between a model's invoice and the rules extractor's.

Only fields both extractors filled are compared: the rules extractor often misses a
field, and a miss is not evidence against the model. Two independent readings that
agree raise confidence; each disagreement is named so a reviewer knows where to look.
"""

from __future__ import annotations

import re

from schemas.invoice.invoice import HEADER_FIELDS, Invoice

COMPARED_FIELDS = HEADER_FIELDS

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _norm(value: object) -> object:
    if isinstance(value, str):
        return _NOT_ALNUM.sub("", value.casefold())
    return value


def compare_invoices(model: Invoice, rules: Invoice) -> tuple[float | None, list[str]]:
    """(agreement 0..1 or None when nothing was comparable, disagreeing field names)."""
    compared = 0
    disagreeing: list[str] = []
    for field in COMPARED_FIELDS:
        a, b = getattr(model, field), getattr(rules, field)
        if a is None or b is None:
            continue
        compared += 1
        if _norm(a) != _norm(b):
            disagreeing.append(field)
    if compared == 0:
        return None, []
    return (compared - len(disagreeing)) / compared, disagreeing
