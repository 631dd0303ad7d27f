"""How every SDK client is built, whichever the vendor: no retries of its own (Temporal
owns retries, and a retry inside an activity would hide a 429's Retry-After), the call's
timeout, and the recorded answers when a cassette is configured (llm/cassettes.py)."""

from __future__ import annotations

from typing import Any

from vouchflow.llm.cassettes import cassette_http_client
from vouchflow.llm.providers.base import CallSettings


def client_options(call: CallSettings) -> dict[str, Any]:
    return {
        "base_url": call.base_url,
        "max_retries": 0,
        "timeout": call.timeout_s,
        "http_client": cassette_http_client(call.timeout_s),
    }
