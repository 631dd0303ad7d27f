"""Anthropic tool use: `tools` with input schemas, `tool_use` blocks out, `tool_result`
blocks back in the next user message (all results of one turn together)."""

from __future__ import annotations

import json
from typing import Any

from schemas.reconciliation.agent import AgentMessage, ToolCall
from vouchflow.llm.providers.anthropic_common import anthropic_session, check_stop, message_usage
from vouchflow.reconciliation.providers.base import TurnAnswer, TurnRequest


def _input(arguments: str) -> dict[str, Any]:
    """tool_use.input must be an object; a call whose arguments were not one was refused
    by validation, and is sent back as an empty object with its error result."""
    try:
        value = json.loads(arguments or "{}")
    except (json.JSONDecodeError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def anthropic_messages(messages: list[AgentMessage]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        # Roles alternate: consecutive same-role messages merge into one.
        if out and out[-1]["role"] == role:
            out[-1]["content"] += blocks
        else:
            out.append({"role": role, "content": blocks})

    for m in messages:
        if m.role == "user":
            add("user", [{"type": "text", "text": m.text}])
        elif m.role == "assistant":
            blocks: list[dict[str, Any]] = []
            if m.text:
                blocks.append({"type": "text", "text": m.text})
            blocks += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": _input(c.arguments)}
                for c in m.tool_calls
            ]
            add("assistant", blocks or [{"type": "text", "text": "(no answer)"}])
        elif m.tool_output is not None:
            add(
                "user",
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": m.tool_output.call_id,
                        "content": m.tool_output.content,
                        "is_error": m.tool_output.is_error,
                    }
                ],
            )
    return out


async def turn_anthropic(request: TurnRequest) -> TurnAnswer:
    call = request.call
    tools: Any = [
        {"name": spec.name, "description": spec.description, "input_schema": spec.json_schema()}
        for spec in request.tools
    ]
    messages: Any = anthropic_messages(request.messages)
    async with anthropic_session(call) as client:
        message = await client.messages.create(
            model=call.model,
            max_tokens=call.max_output_tokens,
            system=request.system,
            messages=messages,
            tools=tools,
            # The model must act through a tool: look something up, propose, escalate.
            tool_choice={"type": "any"},
        )
    check_stop(message, call)
    calls: list[ToolCall] = []
    texts: list[str] = []
    for block in message.content:
        if block.type == "tool_use":
            calls.append(ToolCall(id=block.id, name=block.name, arguments=json.dumps(block.input)))
        elif block.type == "text":
            texts.append(block.text)
    return TurnAnswer(
        model=message.model or call.model,
        text="".join(texts),
        tool_calls=calls,
        response_id=message.id,
        **message_usage(message),
    )
