"""Client-credentials tokens for a Xero custom connection.

Tokens live 30 minutes; we refresh a minute early, and on demand after a 401.
The token never appears in logs or exception messages.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from vouchflow.destinations.base import DestinationError
from vouchflow.destinations.xero_config import XeroCredentials

_REFRESH_MARGIN_S = 60.0


class XeroTokenProvider:
    def __init__(self, credentials: XeroCredentials, http: httpx.AsyncClient) -> None:
        self._credentials = credentials
        self._http = http
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def token(self, *, force_refresh: bool = False, stale: str | None = None) -> str:
        """A valid token. `stale` is the token a 401 rejected: refresh only if still current,
        so concurrent 401s cause one refresh, not one each."""
        async with self._lock:
            current = self._token is not None and time.monotonic() < self._expires_at
            if current and self._token and (not force_refresh or stale != self._token):
                return self._token
            return await self._fetch()

    async def _fetch(self) -> str:
        url = self._credentials.identity_url.rstrip("/") + "/connect/token"
        try:
            response = await self._http.post(
                url,
                data={"grant_type": "client_credentials"},
                auth=(self._credentials.client_id, self._credentials.client_secret),
            )
        except httpx.TransportError as exc:
            raise DestinationError(
                f"Xero identity unreachable: {type(exc).__name__}", retryable=True
            ) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise DestinationError(
                f"Xero identity returned HTTP {response.status_code}", retryable=True
            )
        if response.status_code != 200:
            error = _error_code(response)
            raise DestinationError(
                f"Xero rejected the client credentials (HTTP {response.status_code} {error})",
                retryable=False,
            )
        body = response.json()
        self._token = str(body["access_token"])
        lifetime = float(body.get("expires_in", 1800))
        margin = min(_REFRESH_MARGIN_S, lifetime / 10)
        self._expires_at = time.monotonic() + lifetime - margin
        self.fetch_count += 1
        return self._token


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return ""
