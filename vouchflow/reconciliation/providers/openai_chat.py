"""Chat Completions tool calling (OpenAI-compatible servers: Ollama, vLLM, llama.cpp):
`tools` with function schemas, `tool_calls` on the assistant message, `tool` messages
back. tool_choice stays "auto": not every compatible server implements "required"."""

from __future__ import annotations

from typing import Any

import openai

from schemas.reconciliation.agent import AgentMessage, ToolCall
from vouchflow.llm.cassettes import cassette_http_client
from vouchflow.llm.errors import classify_sdk_error, cut_off_error, refusal_error
from vouchflow.reconciliation.providers.base import TurnAnswer, TurnRequest

PROVIDER = "openai-compatible"


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
    extra: dict[str, Any] = {}
    if call.temperature is not None:
        extra["temperature"] = call.temperature
    try:
        async with openai.AsyncOpenAI(
            api_key=call.api_key or "not-needed",
            base_url=call.base_url,
            max_retries=0,
            timeout=call.timeout_s,
            http_client=cassette_http_client(call.timeout_s),
        ) as client:
            completion = await client.chat.completions.create(
                model=call.model,
                messages=messages,
                tools=tools,
                tool_choice="auto",
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
    calls = [
        ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments)
        for c in choice.message.tool_calls or []
        if c.type == "function"
    ]
    usage = completion.usage
    cached = 0
    if usage and usage.prompt_tokens_details and usage.prompt_tokens_details.cached_tokens:
        cached = usage.prompt_tokens_details.cached_tokens
    return TurnAnswer(
        model=completion.model or call.model,
        text=choice.message.content or "",
        tool_calls=calls,
        response_id=completion.id,
        input_tokens=usage.prompt_tokens if usage else 0,
        output_tokens=usage.completion_tokens if usage else 0,
        cached_tokens=cached,
    )
