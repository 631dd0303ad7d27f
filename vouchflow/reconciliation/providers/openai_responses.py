"""OpenAI Responses API function calling: `function` tools with strict schemas,
`function_call` items out, `function_call_output` items back (store=False, so the
whole conversation is sent each turn)."""

from __future__ import annotations

from typing import Any

import openai

from schemas.reconciliation.agent import AgentMessage, ToolCall
from vouchflow.llm.cassettes import cassette_http_client
from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.reconciliation.providers.base import TurnAnswer, TurnRequest

PROVIDER = "openai"


def input_items(messages: list[AgentMessage]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "user":
            items.append({"role": "user", "content": m.text})
        elif m.role == "assistant":
            if m.text:
                items.append({"role": "assistant", "content": m.text})
            items += [
                {
                    "type": "function_call",
                    "call_id": c.id,
                    "name": c.name,
                    "arguments": c.arguments,
                }
                for c in m.tool_calls
            ]
        elif m.tool_output is not None:
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": m.tool_output.call_id,
                    "output": m.tool_output.content,
                }
            )
    return items


async def turn_openai_responses(request: TurnRequest) -> TurnAnswer:
    call = request.call
    tools: Any = [
        {
            "type": "function",
            "name": spec.name,
            "description": spec.description,
            "parameters": spec.json_schema(),
            "strict": True,
        }
        for spec in request.tools
    ]
    items: Any = input_items(request.messages)
    extra: dict[str, Any] = {}
    if call.temperature is not None:
        extra["temperature"] = call.temperature
    try:
        async with openai.AsyncOpenAI(
            api_key=call.api_key,
            base_url=call.base_url,
            max_retries=0,  # Temporal owns retries
            timeout=call.timeout_s,
            http_client=cassette_http_client(call.timeout_s),
        ) as client:
            response = await client.responses.create(
                model=call.model,
                instructions=request.system,
                input=items,
                tools=tools,
                # The model must act through a tool: look something up, propose, escalate.
                tool_choice="required",
                max_output_tokens=call.max_output_tokens,
                store=False,
                **extra,
            )
    except openai.OpenAIError as exc:
        raise classify_sdk_error(exc, PROVIDER) from exc
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        if reason == "content_filter":
            raise refusal_error(PROVIDER, "stopped by the content filter")
        raise cut_off_error(PROVIDER, call.max_output_tokens)
    calls: list[ToolCall] = []
    texts: list[str] = []
    for item in response.output:
        if item.type == "function_call":
            calls.append(ToolCall(id=item.call_id, name=item.name, arguments=item.arguments))
        elif item.type == "message":
            for content in item.content:
                if content.type == "refusal":
                    raise refusal_error(PROVIDER, content.refusal)
                if content.type == "output_text":
                    texts.append(content.text)
    usage = response.usage
    return TurnAnswer(
        model=response.model or call.model,
        text="".join(texts),
        tool_calls=calls,
        response_id=response.id,
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        cached_tokens=(usage.input_tokens_details.cached_tokens or 0) if usage else 0,
    )
