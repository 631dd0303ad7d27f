"""Recorded model answers (cassettes) at the HTTP layer.

The official OpenAI and Anthropic SDKs take an `httpx2.AsyncClient`; the providers build
theirs with `cassette_http_client()`, which is None (the SDK's own client) unless a
cassette is configured. Then its transport either

* `record`s: sends the request to the real service, and stores every successful answer
  in the cassette directory, one JSON file per request; or
* `replay`s: answers from the directory without any network; a request nobody recorded
  gets a 400 naming the missing key, so the SDK fails it at once (never retried) and the
  caller sees why.

A request's key is the SHA-256 of its canonical JSON: method, URL path and body, minus
fields that change between identical calls (`VOLATILE_BODY_FIELDS`). Headers are never
part of the key and never stored (they carry the API key). The host is not part of the
key either, so answers recorded against a local fake or a proxy replay for the real
service's base URL and back.

Configuration: `VOUCHFLOW_CASSETTE=record|replay` and `VOUCHFLOW_CASSETTE_DIR` (default
`$VOUCHFLOW_HOME/cassettes`), or `use_cassette(mode, directory)` in code (evals, tests).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import httpx2
from pydantic import BaseModel, ConfigDict

CASSETTE_ENV = "VOUCHFLOW_CASSETTE"
CASSETTE_DIR_ENV = "VOUCHFLOW_CASSETTE_DIR"
CassetteMode = Literal["record", "replay"]
MODES: tuple[CassetteMode, ...] = ("record", "replay")

# Body fields that differ between two calls asking the same thing: tracing and
# end-user identifiers, cache routing hints. Everything else (model, prompt, schema,
# temperature, token caps) decides the answer and is keyed.
VOLATILE_BODY_FIELDS: frozenset[str] = frozenset(
    {"metadata", "user", "safety_identifier", "prompt_cache_key", "stream_options"}
)
# Response headers worth keeping (what the SDK reads); the rest (cookies, rate-limit
# accounting, request ids of other systems) is noise in a reviewed file.
_KEPT_RESPONSE_HEADERS = ("content-type", "request-id", "x-request-id")


# Begins the message of a replay miss, so callers can tell it from a model's own failure.
MISS_MARKER = "vouchflow cassette: no recorded answer"


class CassetteError(RuntimeError):
    """A cassette that is misconfigured or unreadable."""


class Cassette(BaseModel):
    """Where and how: the mode and the directory of recorded answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: CassetteMode
    directory: Path


class RecordedExchange(BaseModel):
    """One stored request and its answer (what a file in the cassette directory holds)."""

    model_config = ConfigDict(extra="forbid")

    key: str
    request: dict[str, Any]
    status: int
    headers: dict[str, str]
    body: Any
    recorded_at: str


_override: contextvars.ContextVar[Cassette | None] = contextvars.ContextVar(
    "vouchflow_cassette", default=None
)


def canonical_request(method: str, path: str, body: bytes) -> dict[str, Any]:
    """The keyed part of a request: method, path, and the JSON body without volatile fields."""
    parsed: Any
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        # Not JSON (never the case for the model APIs): key the raw bytes.
        parsed = {"raw_sha256": hashlib.sha256(body).hexdigest()}
    if isinstance(parsed, dict):
        parsed = {k: v for k, v in parsed.items() if k not in VOLATILE_BODY_FIELDS}
    return {"method": method.upper(), "path": path, "body": parsed}


def request_key(method: str, path: str, body: bytes) -> str:
    canonical = json.dumps(
        canonical_request(method, path, body),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _path_of(request: httpx2.Request) -> str:
    """The API path without any base-URL prefix before /v1 (proxies, gateways)."""
    path = request.url.path
    marker = path.find("/v1/")
    return path[marker:] if marker > 0 else path


def exchange_file(directory: Path, key: str) -> Path:
    return directory / f"{key}.json"


def load_exchange(directory: Path, key: str) -> RecordedExchange | None:
    path = exchange_file(directory, key)
    if not path.is_file():
        return None
    try:
        return RecordedExchange.model_validate_json(path.read_bytes())
    except ValueError as err:
        raise CassetteError(f"cassette file {path} is unreadable: {err}") from None


def save_exchange(directory: Path, exchange: RecordedExchange) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = exchange_file(directory, exchange.key)
    text = json.dumps(exchange.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    # Write-then-rename: a crash never leaves half an answer that replay would trust.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".cassette-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; this is a file people read and commit
    os.replace(tmp, path)
    return path


def _response_body(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class CassetteTransport(httpx2.AsyncBaseTransport):
    """Record through `inner`, or replay from `directory` without touching the network."""

    def __init__(
        self,
        cassette: Cassette,
        inner: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.cassette = cassette
        self._inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        path = _path_of(request)
        key = request_key(request.method, path, body)
        directory = self.cassette.directory
        if self.cassette.mode == "replay":
            found = load_exchange(directory, key)
            if found is None:
                return _miss(request, key, directory)
            return httpx2.Response(
                found.status,
                headers={"content-type": "application/json", **found.headers},
                content=_body_bytes(found.body),
                request=request,
            )
        if self._inner is None:
            self._inner = httpx2.AsyncHTTPTransport()
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        await response.aclose()
        if 200 <= response.status_code < 300:
            # Only answers are frozen: a 429 or a 500 is a moment, not what the model said.
            save_exchange(
                directory,
                RecordedExchange(
                    key=key,
                    request=canonical_request(request.method, path, body),
                    status=response.status_code,
                    headers={
                        k: response.headers[k]
                        for k in _KEPT_RESPONSE_HEADERS
                        if k in response.headers
                    },
                    body=_response_body(content),
                    recorded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            content=content,
            request=request,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def _miss(request: httpx2.Request, key: str, directory: Path) -> httpx2.Response:
    """A 400 in the provider's error shape: the SDK raises it as a bad request (never
    retried), with a message that says what to do."""
    message = (
        f"{MISS_MARKER} for {request.method} {_path_of(request)} "
        f"(key {key[:16]}) in {directory}; record it with {CASSETTE_ENV}=record"
    )
    return httpx2.Response(
        400,
        json={
            "type": "error",
            "error": {"type": "invalid_request_error", "message": message, "code": "cassette_miss"},
        },
        request=request,
    )


def configured_cassette(env: dict[str, str] | None = None) -> Cassette | None:
    """The cassette in force: `use_cassette` first, then the environment."""
    override = _override.get()
    if override is not None:
        return override
    environ = os.environ if env is None else env
    mode = environ.get(CASSETTE_ENV, "").strip().lower()
    if not mode:
        return None
    if mode not in MODES:
        raise CassetteError(f"{CASSETTE_ENV} must be record or replay, not {mode!r}")
    directory = environ.get(CASSETTE_DIR_ENV) or str(
        Path(environ.get("VOUCHFLOW_HOME", ".vouchflow")) / "cassettes"
    )
    return Cassette.model_validate({"mode": mode, "directory": directory})


@contextlib.contextmanager
def use_cassette(mode: CassetteMode, directory: Path) -> Iterator[Cassette]:
    """Model calls made inside the block (this task and the ones it starts) use it."""
    cassette = Cassette(mode=mode, directory=Path(directory))
    token = _override.set(cassette)
    try:
        yield cassette
    finally:
        _override.reset(token)


def cassette_http_client(timeout_s: float) -> httpx2.AsyncClient | None:
    """The HTTP client a provider hands its SDK: None = the SDK's own (no cassette)."""
    cassette = configured_cassette()
    if cassette is None:
        return None
    return httpx2.AsyncClient(
        transport=CassetteTransport(cassette),
        timeout=httpx2.Timeout(timeout_s),
        follow_redirects=True,
    )
