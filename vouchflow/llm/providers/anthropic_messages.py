"""Anthropic Messages API with a JSON-schema output format (`output_config.format`)."""

from __future__ import annotations

from typing import Any

import anthropic
from pydantic import BaseModel

from vouchflow.llm.output import StrictInvoiceOutput
from vouchflow.llm.providers.anthropic_common import anthropic_session, check_stop, message_usage
from vouchflow.llm.providers.base import CallSettings, Completion, Conversation


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
    async with anthropic_session(call) as client:
        message = await client.messages.create(
            model=call.model,
            max_tokens=call.max_output_tokens,
            system=conversation.system,
            messages=messages,
            output_config=output_config,
        )
    check_stop(message, call)
    return Completion(
        text="".join(block.text for block in message.content if block.type == "text"),
        model=message.model or call.model,
        response_id=message.id,
        **message_usage(message),
    )
