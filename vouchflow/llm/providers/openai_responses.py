"""OpenAI Responses API with a strict JSON schema (`responses.parse(text_format=...)`)."""

from __future__ import annotations

from pydantic import BaseModel

from vouchflow.llm.output import StrictInvoiceOutput
from vouchflow.llm.providers.base import CallSettings, Completion, Conversation
from vouchflow.llm.providers.openai_common import (
    check_response,
    openai_session,
    response_usage,
    sampling,
)

PROVIDER = "openai"


async def complete_openai_responses(
    conversation: Conversation,
    call: CallSettings,
    *,
    output_model: type[BaseModel] = StrictInvoiceOutput,
) -> Completion:
    async with openai_session(call, PROVIDER) as client:
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
            **sampling(call),
        )
    check_response(response, call, PROVIDER)
    return Completion(
        text=response.output_text,
        model=response.model or call.model,
        response_id=response.id,
        **response_usage(response),
    )
