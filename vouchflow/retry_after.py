"""How long a rate-limited service asks us to wait, from its response headers.

Every integration (model providers, Xero, Slack, Jira) hands this to Temporal as the
activity's `next_retry_delay`, so the retry honours the service instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Mapping
from typing import Any


def parse_retry_after(headers: Mapping[str, Any] | None) -> float | None:
    """Seconds to wait: `retry-after-ms`, then `retry-after` as seconds or an HTTP date
    (header names in any case); None when absent or unreadable, never negative."""
    if not headers:
        return None
    lowered = {str(name).lower(): value for name, value in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except (TypeError, ValueError):
            pass
    value = lowered.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)
