"""PO numbers printed on an invoice: 'PO: 4500-0142', 'Purchase order no. PO-NW-7781',
'Your order ref: 12345'. Plain functions; the store compares numbers by their key."""

from __future__ import annotations

import re

# A label, then the number (letters, digits, '-', '/', '.'; at least one digit).
_LABELLED = re.compile(
    r"(?:\bP\.?\s?O\.?|purchase\s+order|your\s+order|order\s+ref(?:erence)?|bestellnummer"
    r"|bestellung|bon\s+de\s+commande)"
    r"\s*(?:no\.?|number|nr\.?|n°|#|ref(?:erence)?\.?)?\s*[:#]?\s*"
    r"(?P<number>(?=[A-Z0-9./-]*\d)[A-Z0-9][A-Z0-9./-]{2,39})",
    re.IGNORECASE,
)
# A bare number shaped like a PO ('PO-4500-0142', 'PO4500').
_SHAPED = re.compile(r"\b(?P<number>PO[-/]?[A-Z0-9]*\d[A-Z0-9/-]*)\b", re.IGNORECASE)
MAX_REFERENCES = 10


def find_po_references(text: str) -> list[str]:
    """Distinct PO numbers in the order they appear (at most MAX_REFERENCES)."""
    found: list[str] = []
    seen: set[str] = set()
    for pattern in (_SHAPED, _LABELLED):
        for match in pattern.finditer(text):
            number = match.group("number").rstrip("./-")
            key = re.sub(r"[^A-Z0-9]", "", number.upper())
            if len(key) < 3 or key in seen:
                continue
            seen.add(key)
            found.append(number)
            if len(found) >= MAX_REFERENCES:
                return found
    return found
