"""What every route for webhook clients does before its own work (the invoice intake
and status, the ticket intake and status): refuse while no client is configured,
authenticate the client (gateway/auth.py) and read the body within a cap.

A bearer token is checked before a single body byte is read; HMAC clients sign the
body, so they are checked once it is read (capped), and GET requests sign their path.
What is refused is a ``Refused``, answered as ``{"error": ...}`` with its status by a
route wrapped in :func:`answers_refusals`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from temporalio.service import RPCError, RPCStatusCode

from vouchflow.gateway.auth import authenticate_client
from vouchflow.gateway.config import ClientSecret
from vouchflow.gateway.request_body import TooLarge, read_capped

NOT_CONFIGURED = "intake authentication is not configured"
UNAUTHORIZED = "unauthorized"
UNAVAILABLE = "the workflow service is unavailable; retry later"
Endpoint = Callable[[Request], Awaitable[Response]]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> JSONResponse:
        return error(self.status, self.message)


def answers_refusals(endpoint: Endpoint) -> Endpoint:
    """The route, with a refusal raised anywhere in it answered as its error."""

    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Refused as refused:
            return refused.response()

    return answered


@contextmanager
def reading_workflow(not_found: str) -> Iterator[None]:
    """Reading a workflow for a client: one Temporal does not know is a 404 with
    `not_found`; Temporal unreachable or failing is a 503."""
    try:
        yield
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise Refused(404, not_found) from None
        raise Refused(503, UNAVAILABLE) from None
    except (RuntimeError, OSError):
        raise Refused(503, UNAVAILABLE) from None


@dataclass(frozen=True)
class Received:
    client_id: str
    body: bytes


@dataclass(frozen=True)
class WebhookClients:
    """The configured clients and the header HMAC clients sign with."""

    clients: Sequence[ClientSecret]
    hmac_header: str

    def _client_of(self, request: Request, signed: bytes | None) -> str | None:
        return authenticate_client(
            self.clients,
            authorization=request.headers.get("authorization"),
            signature=request.headers.get(self.hmac_header),
            signed=signed,
        )

    def _configured(self) -> None:
        if not self.clients:
            raise Refused(503, NOT_CONFIGURED)

    def reader(self, request: Request) -> str:
        """The client a GET request comes from (HMAC clients sign the path)."""
        self._configured()
        client_id = self._client_of(request, request.url.path.encode())
        if client_id is None:
            raise Refused(401, UNAUTHORIZED)
        return client_id

    async def receive(self, request: Request, *, cap: int, too_large: str) -> Received:
        """The client a POST comes from and its body (at most `cap` bytes, else 413
        with `too_large`)."""
        self._configured()
        client_id = self._client_of(request, None)
        # Without HMAC clients, a bad bearer token ends it before the body is read.
        if client_id is None and not any(c.auth == "hmac" for c in self.clients):
            raise Refused(401, UNAUTHORIZED)
        try:
            body = await read_capped(request, cap)
        except TooLarge:
            raise Refused(413, too_large) from None
        if client_id is None:
            client_id = self._client_of(request, body)
            if client_id is None:
                raise Refused(401, UNAUTHORIZED)
        return Received(client_id, body)
