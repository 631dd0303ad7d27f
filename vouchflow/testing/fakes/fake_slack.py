"""A local fake of Slack's Web API for chat.postMessage and chat.update.

Like Slack: errors come back as HTTP 200 with ok:false (not_authed, invalid_auth,
account_inactive, channel_not_found, not_in_channel, message_not_found,
invalid_blocks, no_text); rate limits are HTTP 429 "ratelimited" with
Retry-After; chat.update needs the channel ID and the ts of a message the bot
posted. Every accepted message (and every edit) is recorded.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vouchflow.testing.fakes.threaded_asgi import ThreadedServer

_BLOCK_TYPES = {"header", "section", "context", "actions", "divider", "image", "rich_text"}


@dataclass
class SlackMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    edits: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeSlack:
    bot_token: str = "xoxb-fake-token"
    inactive_tokens: set[str] = field(default_factory=set)
    # channel name -> channel id; the bot is a member of each unless listed in `not_member`.
    channels: dict[str, str] = field(
        default_factory=lambda: {"ap-approvals": "C0APPROVAL", "finance-leads": "C0LEADS"}
    )
    not_member: set[str] = field(default_factory=set)
    messages: list[SlackMessage] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._injected: list[tuple[int, int, int]] = []  # (status, remaining, retry_after)
        self._server = ThreadedServer(self.app())

    def start(self) -> FakeSlack:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def api_url(self) -> str:
        return self._server.url + "/api/"

    def env(self) -> dict[str, str]:
        return {"SLACK_BOT_TOKEN": self.bot_token, "SLACK_API_URL": self.api_url}

    def inject(self, status: int, count: int = 1, *, retry_after: int = 1) -> None:
        """The next `count` calls answer HTTP `status` (429 = ratelimited with Retry-After)."""
        self._injected.append((status, count, retry_after))

    def message(self, channel_id: str, ts: str) -> SlackMessage:
        return next(m for m in self.messages if m.channel == channel_id and m.ts == ts)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/{method}", self._handle, methods=["POST"])])

    # -- handling --------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await self._args(request)
        self.calls.append((method, args))
        injected = self._take_injected()
        if injected is not None:
            return injected
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        token = token or str(args.get("token", ""))
        if not token:
            return self._error("not_authed")
        if token in self.inactive_tokens:
            return self._error("account_inactive")
        if token != self.bot_token:
            return self._error("invalid_auth")
        if method == "chat.postMessage":
            return self._post(args)
        if method == "chat.update":
            return self._update(args)
        return self._error("unknown_method")

    async def _args(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
            parsed = json.loads(body or b"{}")
            return parsed if isinstance(parsed, dict) else {}
        form = await request.form()
        args: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        if isinstance(args.get("blocks"), str):
            args["blocks"] = json.loads(args["blocks"])
        return args

    def _take_injected(self) -> Response | None:
        while self._injected and self._injected[0][1] <= 0:
            self._injected.pop(0)
        if not self._injected:
            return None
        status, remaining, retry_after = self._injected[0]
        self._injected[0] = (status, remaining - 1, retry_after)
        if status == 429:
            return JSONResponse(
                {"ok": False, "error": "ratelimited"},
                429,
                headers={"Retry-After": str(retry_after)},
            )
        return Response("<html>upstream error</html>", status, media_type="text/html")

    @staticmethod
    def _error(error: str, **extra: Any) -> Response:
        return JSONResponse({"ok": False, "error": error, **extra})

    def _resolve(self, channel: str, *, ids_only: bool = False) -> str | None:
        if channel in self.channels.values():
            return channel
        if ids_only:
            return None
        return self.channels.get(channel.removeprefix("#"))

    def _check_content(self, args: dict[str, Any]) -> Response | None:
        blocks = args.get("blocks")
        if not args.get("text") and not blocks:
            return self._error("no_text")
        if blocks is not None:
            problems = validate_blocks(blocks)
            if problems:
                return self._error("invalid_blocks", errors=problems)
        if len(str(args.get("text", ""))) > 40_000:
            return self._error("msg_too_long")
        return None

    def _post(self, args: dict[str, Any]) -> Response:
        channel = self._resolve(str(args.get("channel", "")))
        if channel is None:
            return self._error("channel_not_found")
        if channel in self.not_member:
            return self._error("not_in_channel")
        problem = self._check_content(args)
        if problem is not None:
            return problem
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        message = SlackMessage(channel, ts, str(args.get("text", "")), args.get("blocks") or [])
        self.messages.append(message)
        return JSONResponse(
            {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {
                    "type": "message",
                    "text": message.text,
                    "blocks": message.blocks,
                    "ts": ts,
                    "bot_id": "B0VOUCHFLOW",
                },
            }
        )

    def _update(self, args: dict[str, Any]) -> Response:
        channel = self._resolve(str(args.get("channel", "")), ids_only=True)
        if channel is None:
            return self._error("channel_not_found")
        target = next(
            (m for m in self.messages if m.channel == channel and m.ts == args.get("ts")), None
        )
        if target is None:
            return self._error("message_not_found")
        problem = self._check_content(args)
        if problem is not None:
            return problem
        target.edits.append({"text": target.text, "blocks": target.blocks})
        target.text = str(args.get("text", ""))
        target.blocks = args.get("blocks") or []
        return JSONResponse(
            {
                "ok": True,
                "channel": channel,
                "ts": target.ts,
                "text": target.text,
                "message": {"text": target.text, "blocks": target.blocks},
            }
        )


def validate_blocks(blocks: Any) -> list[str]:
    """The Block Kit limits Slack enforces on the blocks we use."""
    if not isinstance(blocks, list) or not blocks:
        return ["blocks must be a non-empty array"]
    if len(blocks) > 50:
        return ["no more than 50 blocks"]
    problems: list[str] = []
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in _BLOCK_TYPES:
            problems.append(f"[{i}] unknown block type {kind!r}")
            continue
        text = block.get("text") or {}
        if kind == "header" and (
            text.get("type") != "plain_text" or len(text.get("text", "")) > 150
        ):
            problems.append(f"[{i}] header needs plain_text of at most 150 characters")
        if kind == "section":
            if len(text.get("text", "")) > 3000:
                problems.append(f"[{i}] section text over 3000 characters")
            fields = block.get("fields") or []
            if len(fields) > 10 or any(len(f.get("text", "")) > 2000 for f in fields):
                problems.append(f"[{i}] at most 10 fields of 2000 characters")
            if not text and not fields:
                problems.append(f"[{i}] section needs text or fields")
        if kind == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > 25:
                problems.append(f"[{i}] actions need 1-25 elements")
            for element in elements:
                action_id = element.get("action_id", "")
                if action_id in action_ids:
                    problems.append(f"[{i}] duplicate action_id {action_id!r}")
                action_ids.add(action_id)
                label = (element.get("text") or {}).get("text", "")
                if element.get("type") == "button" and not 0 < len(label) <= 75:
                    problems.append(f"[{i}] button text must be 1-75 characters")
                if len(str(element.get("value", ""))) > 2000:
                    problems.append(f"[{i}] button value over 2000 characters")
                if element.get("style") not in (None, "primary", "danger"):
                    problems.append(f"[{i}] bad button style")
    return problems
