"""One Xero API call: auth headers, the per-tenant concurrency cap, one token
refresh on 401, and HTTP failures classified into `DestinationError`."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx

from vouchflow.destinations.base import DestinationError
from vouchflow.destinations.xero_auth import XeroTokenProvider
from vouchflow.destinations.xero_config import XeroCredentials
from vouchflow.retry_after import parse_retry_after

# Xero allows 5 concurrent calls per tenant; share the cap across every client in
# this process (and per event loop, since semaphores bind to one).
_SEMAPHORES: dict[tuple[str, int], asyncio.Semaphore] = {}


def tenant_semaphore(tenant_id: str, limit: int) -> asyncio.Semaphore:
    key = (tenant_id, id(asyncio.get_running_loop()))
    if key not in _SEMAPHORES:
        _SEMAPHORES[key] = asyncio.Semaphore(limit)
    return _SEMAPHORES[key]


class XeroHttp:
    def __init__(
        self,
        credentials: XeroCredentials,
        http: httpx.AsyncClient,
        *,
        max_concurrent_calls: int = 5,
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._tokens = XeroTokenProvider(credentials, http)
        self._limit = max_concurrent_calls

    @property
    def tokens(self) -> XeroTokenProvider:
        return self._tokens

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: str | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        idempotency_key: str | None = None,
        allow_404: bool = False,
    ) -> dict[str, Any] | None:
        """JSON response body (Decimals for numbers); None for an allowed 404."""
        headers = {"Xero-Tenant-Id": self._credentials.tenant_id, "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        body: bytes | None = content
        if json_body is not None:
            body = json_body.encode()
            headers["Content-Type"] = "application/json"
        elif content_type:
            headers["Content-Type"] = content_type
        url = self._credentials.api_url.rstrip("/") + path
        token = await self._tokens.token()
        for attempt in (1, 2):
            headers["Authorization"] = f"Bearer {token}"
            response = await self._send(method, url, params, headers, body)
            if response.status_code == 401 and attempt == 1:
                token = await self._tokens.token(force_refresh=True, stale=token)
                continue
            break
        if response.status_code == 404 and allow_404:
            return None
        _raise_for_status(method, path, response)
        if not response.content:
            return {}
        parsed: dict[str, Any] = response.json(parse_float=Decimal)
        return parsed

    async def _send(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None,
        headers: dict[str, str],
        body: bytes | None,
    ) -> httpx.Response:
        async with tenant_semaphore(self._credentials.tenant_id, self._limit):
            try:
                return await self._http.request(
                    method, url, params=params, headers=headers, content=body
                )
            except httpx.TimeoutException:
                raise DestinationError(f"Xero {method} timed out", retryable=True) from None
            except httpx.TransportError as exc:
                raise DestinationError(
                    f"Xero unreachable: {type(exc).__name__}", retryable=True
                ) from None


def _raise_for_status(method: str, path: str, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    where = f"Xero {method} {path.split('?')[0]}"
    if status == 429:
        problem = response.headers.get("X-Rate-Limit-Problem", "unknown")
        raise DestinationError(
            f"{where}: rate limited ({problem} limit)",
            retryable=True,
            retry_after_s=parse_retry_after(response.headers),
        )
    if status >= 500:
        raise DestinationError(f"{where}: HTTP {status}", retryable=True)
    detail = "; ".join(error_messages(response)) or response.reason_phrase
    raise DestinationError(f"{where}: HTTP {status}: {detail}", retryable=False)


def error_messages(response: httpx.Response) -> list[str]:
    """Messages from Xero's error shapes (ValidationException elements, or Title/Detail)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, ValueError):
        return []
    if not isinstance(body, dict):
        return []
    messages: list[str] = []
    for element in body.get("Elements") or []:
        messages += validation_messages(element)
    if not messages:
        for key in ("Message", "Detail", "Title"):
            if body.get(key):
                messages.append(str(body[key]))
                break
    return messages


def validation_messages(element: dict[str, Any]) -> list[str]:
    return [str(e.get("Message", "")) for e in element.get("ValidationErrors") or []]
