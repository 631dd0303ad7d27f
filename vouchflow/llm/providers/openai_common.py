"""What every call on OpenAI's wire formats shares, structured output and tool calling
alike: the client (client_options.py), SDK errors classified for Temporal, the sampling
settings sent, and how an answer that stopped early or was refused is told apart from
one to read, with its token counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import openai
from openai.types.chat import ChatCompletion
from openai.types.chat.chat_completion import Choice
from openai.types.responses import Response

from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.llm.providers.base import CallSettings, TokenCounts
from vouchflow.llm.providers.client_options import client_options

COMPATIBLE = "openai-compatible"


@asynccontextmanager
async def openai_session(call: CallSettings, provider: str) -> AsyncIterator[openai.AsyncOpenAI]:
    """A client for one call; an SDK error inside the block becomes an ExtractionError
    that says whether a retry can help."""
    api_key = call.api_key
    if provider == COMPATIBLE:
        # Local servers usually ignore the key, but the SDK insists on one.
        api_key = api_key or "not-needed"
    try:
        async with openai.AsyncOpenAI(api_key=api_key, **client_options(call)) as client:
            yield client
    except openai.OpenAIError as exc:
        raise classify_sdk_error(exc, provider) from exc


def sampling(call: CallSettings) -> dict[str, Any]:
    """Only what the spec sets: an unset temperature leaves the provider's default."""
    return {} if call.temperature is None else {"temperature": call.temperature}


def chat_choice(completion: ChatCompletion, call: CallSettings, provider: str) -> Choice:
    """The answer of a Chat Completions call, unless it was cut off or refused."""
    if not completion.choices:
        raise refusal_error(provider, "no choices in the answer")
    choice = completion.choices[0]
    if choice.finish_reason == "length":
        raise cut_off_error(provider, call.max_output_tokens)
    if choice.finish_reason == "content_filter":
        raise refusal_error(provider, "stopped by the content filter")
    if choice.message.refusal:
        raise refusal_error(provider, choice.message.refusal)
    return choice


def chat_usage(completion: ChatCompletion) -> TokenCounts:
    usage = completion.usage
    cached = 0
    if usage and usage.prompt_tokens_details and usage.prompt_tokens_details.cached_tokens:
        cached = usage.prompt_tokens_details.cached_tokens
    return TokenCounts(
        input_tokens=usage.prompt_tokens if usage else 0,
        output_tokens=usage.completion_tokens if usage else 0,
        cached_tokens=cached,
        cache_write_tokens=0,
    )


def check_response(response: Response, call: CallSettings, provider: str) -> None:
    """Raise unless a Responses API answer is complete and refuses nothing."""
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        if reason == "content_filter":
            raise refusal_error(provider, "stopped by the content filter")
        raise cut_off_error(provider, call.max_output_tokens)
    for item in response.output:
        if item.type == "message":
            for content in item.content:
                if content.type == "refusal":
                    raise refusal_error(provider, content.refusal)


def response_usage(response: Response) -> TokenCounts:
    usage = response.usage
    return TokenCounts(
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        cached_tokens=(usage.input_tokens_details.cached_tokens or 0) if usage else 0,
        cache_write_tokens=0,
    )
