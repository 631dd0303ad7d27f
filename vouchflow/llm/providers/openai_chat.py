"""OpenAI-compatible Chat Completions (Ollama, vLLM, llama.cpp) with a json_schema format."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from vouchflow.llm.output import OUTPUT_SCHEMA_NAME, StrictInvoiceOutput
from vouchflow.llm.providers.base import CallSettings, Completion, Conversation
from vouchflow.llm.providers.openai_common import (
    COMPATIBLE,
    chat_choice,
    chat_usage,
    openai_session,
    sampling,
)
from vouchflow.llm.schema import strict_json_schema

PROVIDER = COMPATIBLE


async def complete_openai_chat(
    conversation: Conversation,
    call: CallSettings,
    *,
    output_model: type[BaseModel] = StrictInvoiceOutput,
    schema_name: str = OUTPUT_SCHEMA_NAME,
) -> Completion:
    messages: list[Any] = [{"role": "system", "content": conversation.system}]
    messages += [{"role": t.role, "content": t.content} for t in conversation.turns]
    async with openai_session(call, PROVIDER) as client:
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
            **sampling(call),
        )
    choice = chat_choice(completion, call, PROVIDER)
    return Completion(
        text=choice.message.content or "",
        model=completion.model or call.model,
        response_id=completion.id,
        **chat_usage(completion),
    )
