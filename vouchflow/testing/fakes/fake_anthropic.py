"""Fake Anthropic: `POST /v1/messages` with structured output (`output_config.format`)."""

from __future__ import annotations

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
        reply = self._next()
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
        stop_reason = {"refusal": "refusal", "cut_off": "max_tokens"}.get(reply.kind, "end_turn")
        content = [] if reply.kind == "refusal" else [{"type": "text", "text": reply.text}]
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
