"""Anthropic tool use: `tools` with input schemas, `tool_use` blocks out, `tool_result`
blocks back in the next user message (all results of one turn together)."""

from __future__ import annotations

import json
from typing import Any

import anthropic

from schemas.reconciliation.agent import AgentMessage, ToolCall
from vouchflow.llm.cassettes import cassette_http_client
from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.reconciliation.providers.base import TurnAnswer, TurnRequest

PROVIDER = "anthropic"


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
    try:
        async with anthropic.AsyncAnthropic(
            api_key=call.api_key,
            base_url=call.base_url,
            max_retries=0,
            timeout=call.timeout_s,
            http_client=cassette_http_client(call.timeout_s),
        ) as client:
            message = await client.messages.create(
                model=call.model,
                max_tokens=call.max_output_tokens,
                system=request.system,
                messages=messages,
                tools=tools,
                # The model must act through a tool: look something up, propose, escalate.
                tool_choice={"type": "any"},
            )
    except anthropic.AnthropicError as exc:
        raise classify_sdk_error(exc, PROVIDER) from exc
    if message.stop_reason == "refusal":
        raise refusal_error(PROVIDER, "stop_reason=refusal")
    if message.stop_reason in ("max_tokens", "model_context_window_exceeded"):
        raise cut_off_error(PROVIDER, call.max_output_tokens)
    calls: list[ToolCall] = []
    texts: list[str] = []
    for block in message.content:
        if block.type == "tool_use":
            calls.append(ToolCall(id=block.id, name=block.name, arguments=json.dumps(block.input)))
        elif block.type == "text":
            texts.append(block.text)
    usage = message.usage
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_creation_input_tokens or 0
    return TurnAnswer(
        model=message.model or call.model,
        text="".join(texts),
        tool_calls=calls,
        response_id=message.id,
        input_tokens=usage.input_tokens + cache_read + cache_write,
        output_tokens=usage.output_tokens,
        cached_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
