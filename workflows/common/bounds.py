"""Keep what a workflow hands to Temporal inside Temporal's limits, whatever the data.

A search-attribute value that is too long or an integer outside 64 bits fails the
workflow task on every retry (the workflow freezes, or the server terminates it), so
values are bounded here before every upsert. Pure functions, deterministic.
"""

from __future__ import annotations

import unicodedata

# Temporal's default per-value limit is 2 KB; keywords stay far below it.
KEYWORD_MAX_BYTES = 256
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# Current details show in the Web UI; keep them readable and small.
DETAILS_MAX_CHARS = 2_000


def bounded_keyword(value: str, max_bytes: int = KEYWORD_MAX_BYTES) -> str:
    """Printable, single-line, at most `max_bytes` of UTF-8 (cut on a character boundary)."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in value
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
    )
    cleaned = " ".join(cleaned.split())
    encoded = cleaned.encode("utf-8")
    if len(encoded) <= max_bytes:
        return cleaned
    cut = encoded[: max_bytes - len("…".encode())].decode("utf-8", errors="ignore")
    return cut + "…"


def bounded_int(value: int) -> int | None:
    """The value if it fits a search attribute's 64-bit integer, else None (unset)."""
    return value if INT64_MIN <= value <= INT64_MAX else None


def bounded_text(value: str, max_chars: int = DETAILS_MAX_CHARS) -> str:
    cleaned = "".join(ch for ch in value if unicodedata.category(ch) not in ("Cs", "Co"))
    return cleaned if len(cleaned) <= max_chars else cleaned[: max_chars - 1] + "…"
