"""Anthropic Messages API with a JSON-schema output format (`output_config.format`)."""

from __future__ import annotations

from typing import Any

import anthropic
from pydantic import BaseModel

from vouchflow.llm.cassettes import cassette_http_client
from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.llm.output import StrictInvoiceOutput
from vouchflow.llm.providers.base import CallSettings, Completion, Conversation

PROVIDER = "anthropic"


async def complete_anthropic(
    conversation: Conversation,
    call: CallSettings,
    *,
    output_model: type[BaseModel] = StrictInvoiceOutput,
) -> Completion:
    # messages.create with the same output_config that messages.parse builds: the SDK's
    # parse would raise on an invalid answer and lose its usage and errors, which the
    # repair attempt and the cost record need.
    output_config: Any = {
        "format": {"type": "json_schema", "schema": anthropic.transform_schema(output_model)}
    }
    messages: list[Any] = [{"role": t.role, "content": t.content} for t in conversation.turns]
    try:
        async with anthropic.AsyncAnthropic(
            api_key=call.api_key,
            base_url=call.base_url,
            max_retries=0,
            timeout=call.timeout_s,
            # Recorded answers when a cassette is configured (llm/cassettes.py).
            http_client=cassette_http_client(call.timeout_s),
        ) as client:
            message = await client.messages.create(
                model=call.model,
                max_tokens=call.max_output_tokens,
                system=conversation.system,
                messages=messages,
                output_config=output_config,
            )
    except anthropic.AnthropicError as exc:
        raise classify_sdk_error(exc, PROVIDER) from exc

    if message.stop_reason == "refusal":
        detail = ""
        if message.stop_details is not None:
            detail = getattr(message.stop_details, "explanation", None) or ""
        raise refusal_error(PROVIDER, detail or "stop_reason=refusal")
    if message.stop_reason in ("max_tokens", "model_context_window_exceeded"):
        raise cut_off_error(PROVIDER, call.max_output_tokens)

    text = "".join(block.text for block in message.content if block.type == "text")
    usage = message.usage
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_creation_input_tokens or 0
    return Completion(
        text=text,
        model=message.model or call.model,
        response_id=message.id,
        # Anthropic's input_tokens excludes cache reads/writes; normalise to "all input".
        input_tokens=usage.input_tokens + cache_read + cache_write,
        output_tokens=usage.output_tokens,
        cached_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
