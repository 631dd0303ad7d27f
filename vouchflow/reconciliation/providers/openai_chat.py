"""Chat Completions tool calling (OpenAI-compatible servers: Ollama, vLLM, llama.cpp):
`tools` with function schemas, `tool_calls` on the assistant message, `tool` messages
back. tool_choice stays "auto": not every compatible server implements "required"."""

from __future__ import annotations

from typing import Any

from schemas.reconciliation.agent import AgentMessage, ToolCall
from vouchflow.llm.providers.openai_common import (
    COMPATIBLE,
    chat_choice,
    chat_usage,
    openai_session,
    sampling,
)
from vouchflow.reconciliation.providers.base import TurnAnswer, TurnRequest

PROVIDER = COMPATIBLE


def chat_messages(system: str, messages: list[AgentMessage]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for m in messages:
        if m.role == "user":
            out.append({"role": "user", "content": m.text})
        elif m.role == "assistant":
            message: dict[str, Any] = {"role": "assistant", "content": m.text or None}
            if m.tool_calls:
                message["tool_calls"] = [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    }
                    for c in m.tool_calls
                ]
            out.append(message)
        elif m.tool_output is not None:
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": m.tool_output.call_id,
                    "content": m.tool_output.content,
                }
            )
    return out


async def turn_openai_chat(request: TurnRequest) -> TurnAnswer:
    call = request.call
    tools: Any = [
        {
            "type": "function",
            "function": {
                "name": spec.name,
                "description": spec.description,
                "parameters": spec.json_schema(),
                "strict": True,
            },
        }
        for spec in request.tools
    ]
    messages: Any = chat_messages(request.system, request.messages)
    async with openai_session(call, PROVIDER) as client:
        completion = await client.chat.completions.create(
            model=call.model,
            messages=messages,
            tools=tools,
            tool_choice="auto",
            max_completion_tokens=call.max_output_tokens,
            **sampling(call),
        )
    choice = chat_choice(completion, call, PROVIDER)
    calls = [
        ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments)
        for c in choice.message.tool_calls or []
        if c.type == "function"
    ]
    return TurnAnswer(
        model=completion.model or call.model,
        text=choice.message.content or "",
        tool_calls=calls,
        response_id=completion.id,
        **chat_usage(completion),
    )
