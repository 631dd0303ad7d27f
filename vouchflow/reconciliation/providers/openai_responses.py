"""OpenAI Responses API function calling: `function` tools with strict schemas,
`function_call` items out, `function_call_output` items back (store=False, so the
whole conversation is sent each turn)."""

from __future__ import annotations

from typing import Any

from schemas.reconciliation.agent import AgentMessage, ToolCall
from vouchflow.llm.providers.openai_common import (
    check_response,
    openai_session,
    response_usage,
    sampling,
)
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
    async with openai_session(call, PROVIDER) as client:
        response = await client.responses.create(
            model=call.model,
            instructions=request.system,
            input=items,
            tools=tools,
            # The model must act through a tool: look something up, propose, escalate.
            tool_choice="required",
            max_output_tokens=call.max_output_tokens,
            store=False,
            **sampling(call),
        )
    check_response(response, call, PROVIDER)
    calls: list[ToolCall] = []
    texts: list[str] = []
    for item in response.output:
        if item.type == "function_call":
            calls.append(ToolCall(id=item.call_id, name=item.name, arguments=item.arguments))
        elif item.type == "message":
            texts += [c.text for c in item.content if c.type == "output_text"]
    return TurnAnswer(
        model=response.model or call.model,
        text="".join(texts),
        tool_calls=calls,
        response_id=response.id,
        **response_usage(response),
    )
