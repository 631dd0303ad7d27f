"""Fake OpenAI: `POST /v1/responses` and `POST /v1/chat/completions`.

Also holds the threaded server base and the `Reply` script steps shared with the
Anthropic fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vouchflow.llm.schema import schema_strictness_errors

ReplyKind = Literal["text", "refusal", "cut_off", "error", "hang", "tool_calls"]


@dataclass
class ScriptedCall:
    """One tool call a scripted model makes: arguments as an object (sent as JSON) or as
    raw text (to script arguments that are not valid JSON)."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)

    def arguments_text(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass
class Reply:
    """One scripted answer. Usage defaults to a rough count of the request/answer size."""

    kind: ReplyKind
    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""
    error_type: str | None = None
    seconds: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int = 0
    tool_calls: list[ScriptedCall] = field(default_factory=list)

    @classmethod
    def tools(cls, *calls: ScriptedCall, text: str = "", **usage: int) -> Reply:
        """The model answers with tool calls (native format per provider)."""
        return cls("tool_calls", text=text, tool_calls=list(calls), **usage)  # type: ignore[arg-type]

    @classmethod
    def json(cls, obj: Any, **usage: int) -> Reply:
        return cls("text", text=json.dumps(obj), **usage)  # type: ignore[arg-type]

    @classmethod
    def raw(cls, text: str, **usage: int) -> Reply:
        return cls("text", text=text, **usage)  # type: ignore[arg-type]

    @classmethod
    def refusal(cls, message: str = "I can't help with that.", **usage: int) -> Reply:
        return cls("refusal", message=message, **usage)  # type: ignore[arg-type]

    @classmethod
    def cut_off(cls, partial_text: str = '{"supplier_name": "Ac', **usage: int) -> Reply:
        return cls("cut_off", text=partial_text, **usage)  # type: ignore[arg-type]

    @classmethod
    def error(
        cls,
        status: int,
        message: str = "",
        *,
        headers: dict[str, str] | None = None,
        error_type: str | None = None,
    ) -> Reply:
        return cls(
            "error", status=status, message=message, headers=headers or {}, error_type=error_type
        )

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Reply:
        """Answer nothing for `seconds` (released early when the fake stops)."""
        return cls("hang", seconds=seconds)


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: Any


class ThreadedFake:
    """A Starlette app on 127.0.0.1:<free port> in a background thread (sync or async tests)."""

    default_api_key = "test-key"

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or self.default_api_key
        self.requests: list[RecordedRequest] = []
        self._script: list[Reply] = []
        # Answers computed from the request when the script is empty (a scripted model
        # that reads what it was sent, e.g. for benchmarks); None = fail loudly.
        self._responder: Callable[[Any], Reply] | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle --------------------------------------------------------

    @classmethod
    def start(cls, api_key: str | None = None) -> Self:
        fake = cls(api_key)
        fake._start()
        return fake

    def _start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=self.routes(), lifespan=self._lifespan)
        config = uvicorn.Config(
            app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{type(self).__name__} did not start")
            time.sleep(0.01)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._release = asyncio.Event()
        yield

    def stop(self) -> None:
        if self._loop is not None and self._release is not None:
            self._loop.call_soon_threadsafe(self._release.set)
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What the SDK's base_url / *_BASE_URL should be."""
        return self.root_url

    # --- scripting --------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Replace the script and forget recorded requests (call at the start of a test)."""
        with self._lock:
            self._script = list(replies)
            self.requests.clear()

    def respond_with(self, responder: Callable[[Any], Reply] | None) -> None:
        """Answer every call the script does not cover with `responder(request_body)`."""
        with self._lock:
            self._responder = responder

    def remaining(self) -> int:
        with self._lock:
            return len(self._script)

    def _next(self, body: Any = None) -> Reply | None:
        with self._lock:
            if self._script:
                return self._script.pop(0)
            responder = self._responder
        return responder(body) if responder is not None else None

    async def _hang(self, reply: Reply) -> None:
        assert self._release is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), timeout=reply.seconds)

    async def _record(self, request: Request) -> tuple[Any, Response | None]:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            body = None
        self.requests.append(
            RecordedRequest(
                path=request.url.path,
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
            )
        )
        if not isinstance(body, dict):
            return None, self.error_response(
                400, "We could not parse the JSON body of your request."
            )
        return body, None

    # --- per-provider hooks ----------------------------------------------

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def error_response(
        self,
        status: int,
        message: str,
        *,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
        param: str | None = None,
    ) -> Response:
        raise NotImplementedError


def _approx_tokens(value: Any) -> int:
    return max(1, len(json.dumps(value) if not isinstance(value, str) else value) // 4)


_OPENAI_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    429: "requests",
    500: "server_error",
    503: "server_error",
}


class FakeOpenAI(ThreadedFake):
    """Responses and Chat Completions, as api.openai.com or an OpenAI-compatible server."""

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1"

    def routes(self) -> list[Route]:
        return [
            Route("/v1/responses", self._responses, methods=["POST"]),
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
        ]

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
            "error": {
                "message": message or f"fake error {status}",
                "type": error_type or _OPENAI_ERROR_TYPES.get(status, "server_error"),
                "param": param,
                "code": "rate_limit_exceeded" if status == 429 else None,
            }
        }
        return JSONResponse(body, status_code=status, headers=headers)

    def _auth_error(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self.error_response(
                401,
                "Incorrect API key provided. You can find your API key at"
                " https://platform.openai.com/account/api-keys.",
            )
        return None

    async def _preflight(self, request: Request) -> tuple[Any, Reply | None, Response | None]:
        body, bad = await self._record(request)
        if bad is not None:
            return body, None, bad
        if (denied := self._auth_error(request)) is not None:
            return body, None, denied
        if not isinstance(body.get("model"), str) or not body["model"]:
            return body, None, self.error_response(400, "Missing required parameter: 'model'.")
        temperature = body.get("temperature")
        if temperature is not None and not 0 <= temperature <= 2:
            return body, None, self.error_response(400, "temperature must be in [0, 2]")
        reply = self._next(body)
        if reply is None:
            return body, None, self.error_response(500, "fake: nothing scripted for this call")
        if reply.kind == "hang":
            await self._hang(reply)
            return body, None, self.error_response(504, "fake: released after hang")
        if reply.kind == "error":
            return (
                body,
                None,
                self.error_response(
                    reply.status, reply.message, error_type=reply.error_type, headers=reply.headers
                ),
            )
        return body, reply, None

    async def _responses(self, request: Request) -> Response:
        body, reply, early = await self._preflight(request)
        if early is not None:
            return early
        assert reply is not None
        if "input" not in body:
            return self.error_response(400, "Missing required parameter: 'input'.", param="input")
        max_out = body.get("max_output_tokens")
        if max_out is not None and max_out < 16:
            return self.error_response(
                400, "Invalid 'max_output_tokens': integer below minimum value 16."
            )
        fmt = (body.get("text") or {}).get("format")
        if fmt is not None and fmt.get("type") == "json_schema":
            problems = _strict_format_problems(fmt)
            if problems:
                return self.error_response(
                    400, f"Invalid schema for response_format: {problems[0]}", param="text.format"
                )
        if (problem := _responses_tools_problem(body)) is not None:
            return self.error_response(400, problem[0], param=problem[1])
        usage_in = reply.input_tokens if reply.input_tokens is not None else _approx_tokens(body)
        usage_out = (
            reply.output_tokens if reply.output_tokens is not None else _approx_tokens(reply.text)
        )
        status, incomplete = "completed", None
        content: list[dict[str, Any]] = [
            {"type": "output_text", "text": reply.text, "annotations": [], "logprobs": []}
        ]
        if reply.kind == "refusal":
            content = [{"type": "refusal", "refusal": reply.message}]
        elif reply.kind == "cut_off":
            status, incomplete = "incomplete", {"reason": "max_output_tokens"}
        output: list[dict[str, Any]] = [
            {
                "type": "message",
                "id": f"msg_{uuid.uuid4().hex}",
                "status": "completed" if status == "completed" else "incomplete",
                "role": "assistant",
                "content": content,
            }
        ]
        if reply.kind == "tool_calls":
            # Function calls are output items of their own; text, if any, comes first.
            output = output if reply.text else []
            output += [
                {
                    "type": "function_call",
                    "id": f"fc_{uuid.uuid4().hex}",
                    "call_id": f"call_{uuid.uuid4().hex[:24]}",
                    "name": call.name,
                    "arguments": call.arguments_text(),
                    "status": "completed",
                }
                for call in reply.tool_calls
            ]
        return JSONResponse(
            {
                "id": f"resp_{uuid.uuid4().hex}",
                "object": "response",
                "created_at": int(time.time()),
                "status": status,
                "error": None,
                "incomplete_details": incomplete,
                "instructions": body.get("instructions"),
                "max_output_tokens": max_out,
                "model": body["model"],
                "output": output,
                "parallel_tool_calls": True,
                "temperature": body.get("temperature", 1.0),
                "tool_choice": body.get("tool_choice", "auto"),
                "tools": body.get("tools") or [],
                "top_p": 1.0,
                "text": body.get("text") or {"format": {"type": "text"}},
                "usage": {
                    "input_tokens": usage_in,
                    "input_tokens_details": {
                        "cached_tokens": reply.cached_tokens,
                        "cache_write_tokens": 0,
                    },
                    "output_tokens": usage_out,
                    "output_tokens_details": {"reasoning_tokens": 0},
                    "total_tokens": usage_in + usage_out,
                },
            }
        )

    async def _chat(self, request: Request) -> Response:
        body, reply, early = await self._preflight(request)
        if early is not None:
            return early
        assert reply is not None
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return self.error_response(400, "Missing required parameter: 'messages'.")
        fmt = body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            problems = _strict_format_problems(fmt.get("json_schema") or {})
            if problems:
                return self.error_response(
                    400, f"Invalid schema for response_format: {problems[0]}"
                )
        if (problem := _chat_tools_problem(body)) is not None:
            return self.error_response(400, problem)
        usage_in = reply.input_tokens if reply.input_tokens is not None else _approx_tokens(body)
        usage_out = (
            reply.output_tokens if reply.output_tokens is not None else _approx_tokens(reply.text)
        )
        message: dict[str, Any] = {"role": "assistant", "content": reply.text, "refusal": None}
        finish = "stop"
        if reply.kind == "refusal":
            message = {"role": "assistant", "content": None, "refusal": reply.message}
        elif reply.kind == "cut_off":
            finish = "length"
        elif reply.kind == "tool_calls":
            finish = "tool_calls"
            message = {
                "role": "assistant",
                "content": reply.text or None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": f"call_{uuid.uuid4().hex[:24]}",
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments_text()},
                    }
                    for call in reply.tool_calls
                ],
            }
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
                ],
                "usage": {
                    "prompt_tokens": usage_in,
                    "completion_tokens": usage_out,
                    "total_tokens": usage_in + usage_out,
                    "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
                },
            }
        )


def _strict_format_problems(fmt: dict[str, Any]) -> list[str]:
    """What OpenAI rejects for a strict json_schema format."""
    if not fmt.get("name"):
        return ["'name' is required"]
    if fmt.get("strict") is not True:
        return ["strict must be true (the client relies on strict structured outputs)"]
    schema = fmt.get("schema")
    if not isinstance(schema, dict):
        return ["'schema' is required"]
    return schema_strictness_errors(schema)


def _function_tool_problem(tool: Any, where: str) -> str | None:
    """What OpenAI rejects in a function tool definition (strict schemas included)."""
    if not isinstance(tool, dict) or not tool.get("name"):
        return f"Missing required parameter: '{where}.name'."
    params = tool.get("parameters")
    if params is not None and not isinstance(params, dict):
        return f"Invalid type for '{where}.parameters': expected an object."
    if tool.get("strict") is True and isinstance(params, dict):
        problems = schema_strictness_errors(params)
        if problems:
            return f"Invalid schema for function '{tool['name']}': {problems[0]}"
    return None


def _responses_tools_problem(body: dict[str, Any]) -> tuple[str, str] | None:
    """Responses API: function tools are well formed, `tool_choice: required` has tools,
    and every function_call_output answers a function_call sent earlier in the input."""
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            return (f"Invalid value for 'tools[{i}].type': expected 'function'.", f"tools[{i}]")
        if (problem := _function_tool_problem(tool, f"tools[{i}]")) is not None:
            return problem, f"tools[{i}]"
    if body.get("tool_choice") == "required" and not tools:
        return "Tool choice 'required' must be specified with 'tools' parameter.", "tool_choice"
    calls: set[str] = set()
    items = body.get("input")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        if item.get("type") == "function_call":
            calls.add(str(item.get("call_id")))
        elif item.get("type") == "function_call_output" and item.get("call_id") not in calls:
            return (
                f"No tool call found for function call output with call_id {item.get('call_id')}.",
                f"input[{i}]",
            )
    return None


def _chat_tools_problem(body: dict[str, Any]) -> str | None:
    """Chat Completions: tools well formed; each `tool` message answers a tool call of the
    assistant message before it, and every tool call is answered before anything else."""
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            return f"Invalid value for 'tools[{i}].type': expected 'function'."
        if (
            problem := _function_tool_problem(tool.get("function"), f"tools[{i}].function")
        ) is not None:
            return problem
    if body.get("tool_choice") == "required" and not tools:
        return "Tool choice 'required' must be specified with 'tools' parameter."
    pending: set[str] = set()
    for message in body.get("messages") or []:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                return (
                    "Invalid parameter: messages with role 'tool' must be a response to a"
                    " preceeding message with 'tool_calls'."
                )
            pending.discard(message.get("tool_call_id"))
            continue
        if pending:
            return (
                "An assistant message with 'tool_calls' must be followed by tool messages"
                " responding to each 'tool_call_id'. The following tool_call_ids did not have"
                f" response messages: {', '.join(sorted(pending))}"
            )
        if role == "assistant":
            pending = {str(c.get("id")) for c in message.get("tool_calls") or []}
    return None
