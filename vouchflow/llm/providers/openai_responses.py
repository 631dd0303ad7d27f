"""OpenAI Responses API with a strict JSON schema (`responses.parse(text_format=...)`)."""

from __future__ import annotations

from typing import Any

import openai
from pydantic import BaseModel

from vouchflow.llm.cassettes import cassette_http_client
from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.llm.output import StrictInvoiceOutput
from vouchflow.llm.providers.base import CallSettings, Completion, Conversation

PROVIDER = "openai"


async def complete_openai_responses(
    conversation: Conversation,
    call: CallSettings,
    *,
    output_model: type[BaseModel] = StrictInvoiceOutput,
) -> Completion:
    extra: dict[str, Any] = {}
    if call.temperature is not None:
        extra["temperature"] = call.temperature
    try:
        async with openai.AsyncOpenAI(
            api_key=call.api_key,
            base_url=call.base_url,
            max_retries=0,  # Temporal owns retries
            timeout=call.timeout_s,
            # Recorded answers when a cassette is configured (llm/cassettes.py).
            http_client=cassette_http_client(call.timeout_s),
        ) as client:
            # parse_as=None: the SDK sends the strict schema but leaves the text to us,
            # so an invalid answer keeps its usage and its errors feed the repair.
            response = await client.responses.parse(
                model=call.model,
                instructions=conversation.system,
                input=[{"role": t.role, "content": t.content} for t in conversation.turns],
                text_format=output_model,
                parse_as=None,
                max_output_tokens=call.max_output_tokens,
                store=False,
                **extra,
            )
    except openai.OpenAIError as exc:
        raise classify_sdk_error(exc, PROVIDER) from exc

    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        if reason == "max_output_tokens":
            raise cut_off_error(PROVIDER, call.max_output_tokens)
        if reason == "content_filter":
            raise refusal_error(PROVIDER, "stopped by the content filter")
        raise cut_off_error(PROVIDER, call.max_output_tokens)
    for item in response.output:
        if item.type == "message":
            for content in item.content:
                if content.type == "refusal":
                    raise refusal_error(PROVIDER, content.refusal)

    usage = response.usage
    cached = usage.input_tokens_details.cached_tokens if usage else 0
    return Completion(
        text=response.output_text,
        model=response.model or call.model,
        response_id=response.id,
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        cached_tokens=cached or 0,
    )
