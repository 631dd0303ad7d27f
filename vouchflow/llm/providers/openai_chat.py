"""OpenAI-compatible Chat Completions (Ollama, vLLM, llama.cpp) with a json_schema format."""

from __future__ import annotations

from typing import Any

import openai
from pydantic import BaseModel

from vouchflow.llm.cassettes import cassette_http_client
from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.llm.output import OUTPUT_SCHEMA_NAME, StrictInvoiceOutput
from vouchflow.llm.providers.base import CallSettings, Completion, Conversation
from vouchflow.llm.schema import strict_json_schema

PROVIDER = "openai-compatible"


async def complete_openai_chat(
    conversation: Conversation,
    call: CallSettings,
    *,
    output_model: type[BaseModel] = StrictInvoiceOutput,
    schema_name: str = OUTPUT_SCHEMA_NAME,
) -> Completion:
    messages: list[Any] = [{"role": "system", "content": conversation.system}]
    messages += [{"role": t.role, "content": t.content} for t in conversation.turns]
    extra: dict[str, Any] = {}
    if call.temperature is not None:
        extra["temperature"] = call.temperature
    try:
        async with openai.AsyncOpenAI(
            # Local servers usually ignore the key, but the SDK insists on one.
            api_key=call.api_key or "not-needed",
            base_url=call.base_url,
            max_retries=0,
            timeout=call.timeout_s,
            # Recorded answers when a cassette is configured (llm/cassettes.py).
            http_client=cassette_http_client(call.timeout_s),
        ) as client:
            completion = await client.chat.completions.create(
                model=call.model,
                messages=messages,
                response_format={
                    "type": "json_schema",
                    "json_schema": {
                        "name": schema_name,
                        "strict": True,
                        "schema": strict_json_schema(output_model),
                    },
                },
                max_completion_tokens=call.max_output_tokens,
                **extra,
            )
    except openai.OpenAIError as exc:
        raise classify_sdk_error(exc, PROVIDER) from exc

    if not completion.choices:
        raise refusal_error(PROVIDER, "no choices in the answer")
    choice = completion.choices[0]
    if choice.finish_reason == "length":
        raise cut_off_error(PROVIDER, call.max_output_tokens)
    if choice.finish_reason == "content_filter":
        raise refusal_error(PROVIDER, "stopped by the content filter")
    if choice.message.refusal:
        raise refusal_error(PROVIDER, choice.message.refusal)

    usage = completion.usage
    cached = 0
    if usage and usage.prompt_tokens_details and usage.prompt_tokens_details.cached_tokens:
        cached = usage.prompt_tokens_details.cached_tokens
    return Completion(
        text=choice.message.content or "",
        model=completion.model or call.model,
        response_id=completion.id,
        input_tokens=usage.prompt_tokens if usage else 0,
        output_tokens=usage.completion_tokens if usage else 0,
        cached_tokens=cached,
    )
