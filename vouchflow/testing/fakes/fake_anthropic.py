"""Fake Anthropic: `POST /v1/messages` with structured output (`output_config.format`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vouchflow.llm.schema import schema_strictness_errors
from vouchflow.testing.fakes.fake_openai import ThreadedFake, _approx_tokens

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


class FakeAnthropic(ThreadedFake):
    def routes(self) -> list[Route]:
        return [Route("/v1/messages", self._messages, methods=["POST"])]

    def error_response(
        self,
        status: int,
        message: str,
        *,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
        param: str | None = None,
    ) -> Response:
        body = {
            "type": "error",
            "error": {
                "type": error_type or _ERROR_TYPES.get(status, "api_error"),
                "message": message or f"fake error {status}",
            },
            "request_id": f"req_{uuid.uuid4().hex[:24]}",
        }
        return JSONResponse(body, status_code=status, headers=headers)

    def _authorised(self, request: Request) -> bool:
        # The real API takes x-api-key; current SDKs may send the key as a Bearer token.
        return request.headers.get("x-api-key") == self.api_key or (
            request.headers.get("authorization") == f"Bearer {self.api_key}"
        )

    def _body_problem(self, body: dict[str, Any]) -> str | None:
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "model: Field required"
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or max_tokens < 1:
            return "max_tokens: Field required (integer >= 1)"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "messages: at least one message is required"
        expected = "user"
        for i, message in enumerate(messages):
            if message.get("role") != expected:
                return f"messages.{i}.role: roles must alternate, starting with user"
            expected = "assistant" if expected == "user" else "user"
        if (problem := _tool_use_problem(body)) is not None:
            return problem
        fmt = (body.get("output_config") or {}).get("format")
        if fmt is not None:
            if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
                return "output_config.format: expected {type: json_schema, schema: {...}}"
            problems = schema_strictness_errors(fmt["schema"])
            if problems:
                return f"output_config.format.schema: {problems[0]}"
        return None

    async def _messages(self, request: Request) -> Response:
        body, bad = await self._record(request)
        if bad is not None:
            return bad
        if not request.headers.get("anthropic-version"):
            return self.error_response(400, "anthropic-version: header is required")
        if not self._authorised(request):
            return self.error_response(401, "invalid x-api-key")
        if (problem := self._body_problem(body)) is not None:
            return self.error_response(400, problem)
        reply = self._next(body)
        if reply is None:
            return self.error_response(500, "fake: nothing scripted for this call")
        if reply.kind == "hang":
            await self._hang(reply)
            return self.error_response(504, "fake: released after hang")
        if reply.kind == "error":
            return self.error_response(
                reply.status, reply.message, error_type=reply.error_type, headers=reply.headers
            )
        usage_in = reply.input_tokens if reply.input_tokens is not None else _approx_tokens(body)
        usage_out = (
            reply.output_tokens if reply.output_tokens is not None else _approx_tokens(reply.text)
        )
        stop_reason = {"refusal": "refusal", "cut_off": "max_tokens", "tool_calls": "tool_use"}.get(
            reply.kind, "end_turn"
        )
        content: list[dict[str, Any]] = (
            [] if reply.kind == "refusal" else [{"type": "text", "text": reply.text}]
        )
        if reply.kind == "tool_calls":
            content = [{"type": "text", "text": reply.text}] if reply.text else []
            for call in reply.tool_calls:
                # tool_use.input is always an object on the wire; a raw-text script is
                # parsed (a script that is not an object is a test bug: fail loudly).
                arguments = (
                    json.loads(call.arguments)
                    if isinstance(call.arguments, str)
                    else call.arguments
                )
                content.append(
                    {
                        "type": "tool_use",
                        "id": f"toolu_{uuid.uuid4().hex[:24]}",
                        "name": call.name,
                        "input": arguments,
                    }
                )
        return JSONResponse(
            {
                "id": f"msg_{uuid.uuid4().hex[:24]}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": content,
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": {
                    # Anthropic counts cache reads separately from input_tokens.
                    "input_tokens": max(usage_in - reply.cached_tokens, 0),
                    "cache_read_input_tokens": reply.cached_tokens,
                    "cache_creation_input_tokens": 0,
                    "output_tokens": usage_out,
                },
            }
        )


def _tool_use_problem(body: dict[str, Any]) -> str | None:
    """Tools have a name and an input_schema; `tool_choice` any/tool needs tools; every
    tool_use is answered by a tool_result in the next user message, and every
    tool_result answers a tool_use of the assistant message just before it."""
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not tool.get("name"):
            return f"tools.{i}.name: Field required"
        if tool.get("type") in (None, "custom") and not isinstance(tool.get("input_schema"), dict):
            return f"tools.{i}.custom.input_schema: Field required"
    choice = body.get("tool_choice") or {}
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool") and not tools:
        return "tool_choice: tools must be given when tool_choice is any or tool"
    messages = body.get("messages") or []
    for i, message in enumerate(messages):
        blocks = message.get("content")
        if not isinstance(blocks, list):
            continue
        if message.get("role") == "assistant":
            asked = [
                b.get("id") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"
            ]
            if not asked or i + 1 >= len(messages):
                continue
            following = messages[i + 1].get("content")
            answered = {
                b.get("tool_use_id")
                for b in (following if isinstance(following, list) else [])
                if isinstance(b, dict) and b.get("type") == "tool_result"
            }
            missing = [a for a in asked if a not in answered]
            if missing:
                return (
                    f"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks"
                    f" immediately after: {', '.join(str(m) for m in missing)}. Each"
                    " `tool_use` block must have a corresponding `tool_result` block in the"
                    " next message."
                )
        else:
            previous = messages[i - 1].get("content") if i > 0 else None
            asked_before = {
                b.get("id")
                for b in (previous if isinstance(previous, list) else [])
                if isinstance(b, dict) and b.get("type") == "tool_use"
            }
            for b in blocks:
                if (
                    isinstance(b, dict)
                    and b.get("type") == "tool_result"
                    and (b.get("tool_use_id") not in asked_before)
                ):
                    return (
                        f"messages.{i}.content: unexpected `tool_use_id` found in"
                        f" `tool_result` blocks: {b.get('tool_use_id')}. Each `tool_result`"
                        " block must have a corresponding `tool_use` block in the previous"
                        " message."
                    )
    return None
