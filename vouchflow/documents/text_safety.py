"""Text that survives every sink: blob store, JSON, SQLite, PostgreSQL, logs.

Broken PDFs (and some perfectly valid ones whose fonts map glyphs to UTF-16) hand out
characters outside the Basic Multilingual Plane as two separate surrogate code
points, and sometimes a lone half of a pair. Python strings hold them, but no UTF-8
encoder will write them ("surrogates not allowed"). Text is cleaned once, where it
enters the system: a valid pair becomes the character it encodes (emoji, math
symbols are kept), a lone surrogate becomes U+FFFD.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def safe_text(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if not has_surrogates(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
