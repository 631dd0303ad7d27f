"""What every call on Anthropic's Messages API shares, structured output and tool use
alike: the client (client_options.py), SDK errors classified for Temporal, the stops that
are not answers, and token counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anthropic
from anthropic.types import Message

from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.llm.providers.base import CallSettings, TokenCounts
from vouchflow.llm.providers.client_options import client_options

PROVIDER = "anthropic"


@asynccontextmanager
async def anthropic_session(call: CallSettings) -> AsyncIterator[anthropic.AsyncAnthropic]:
    """A client for one call; an SDK error inside the block becomes an ExtractionError
    that says whether a retry can help."""
    try:
        async with anthropic.AsyncAnthropic(api_key=call.api_key, **client_options(call)) as client:
            yield client
    except anthropic.AnthropicError as exc:
        raise classify_sdk_error(exc, PROVIDER) from exc


def check_stop(message: Message, call: CallSettings) -> None:
    """Raise when the model refused or was cut off instead of answering."""
    if message.stop_reason == "refusal":
        detail = ""
        if message.stop_details is not None:
            detail = getattr(message.stop_details, "explanation", None) or ""
        raise refusal_error(PROVIDER, detail or "stop_reason=refusal")
    if message.stop_reason in ("max_tokens", "model_context_window_exceeded"):
        raise cut_off_error(PROVIDER, call.max_output_tokens)


def message_usage(message: Message) -> TokenCounts:
    usage = message.usage
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_creation_input_tokens or 0
    return TokenCounts(
        # Anthropic's input_tokens excludes cache reads/writes; normalise to "all input".
        input_tokens=usage.input_tokens + cache_read + cache_write,
        output_tokens=usage.output_tokens,
        cached_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
