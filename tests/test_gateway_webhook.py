"""Authenticating webhook clients in front of a route (gateway/webhook.py): what is
refused, with which status and body, and what is never read; reading a workflow for a
client against the time-skipping server, or none."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from vouchflow.gateway.auth import body_signature
from vouchflow.gateway.config import ClientSecret
from vouchflow.gateway.webhook import WebhookClients, answers_refusals, reading_workflow

HEADER = "X-Test-Signature"
BEARER = ClientSecret(client_id="erp", auth="bearer", secret="bearer-secret-0123456789")
HMAC = ClientSecret(client_id="helpdesk", auth="hmac", secret="hmac-secret-0123456789")
CAP = 64


def app_for(*clients: ClientSecret) -> httpx.AsyncClient:
    webhook = WebhookClients(clients, HEADER)

    @answers_refusals
    async def post(request: Request) -> Response:
        received = await webhook.receive(request, cap=CAP, too_large="too big")
        return JSONResponse({"client": received.client_id, "size": len(received.body)})

    @answers_refusals
    async def get(request: Request) -> Response:
        return JSONResponse({"client": webhook.reader(request)})

    app = Starlette(routes=[Route("/in", post, methods=["POST"]), Route("/in/x", get)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


class Body:
    """A streamed body (no Content-Length) that records whether anyone read it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.read = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.read = True
        for start in range(0, len(self.data), 16):
            yield self.data[start : start + 16]


async def test_without_clients_every_request_is_refused_as_not_configured() -> None:
    async with app_for() as http:
        posted = await http.post("/in", content=b"{}")
        read = await http.get("/in/x")
    for response in (posted, read):
        assert response.status_code == 503
        assert response.json() == {"error": "intake authentication is not configured"}


async def test_a_bad_bearer_token_is_refused_before_the_body_is_read() -> None:
    body = Body(b"x" * 32)
    async with app_for(BEARER) as http:
        response = await http.post("/in", content=body, headers={"Authorization": "Bearer nope"})
        good = await http.post(
            "/in", content=b"abc", headers={"Authorization": f"Bearer {BEARER.secret}"}
        )
    assert response.status_code == 401 and response.json() == {"error": "unauthorized"}
    assert not body.read
    assert good.json() == {"client": "erp", "size": 3}


async def test_hmac_clients_sign_the_body_and_a_get_its_path() -> None:
    payload = b'{"event": 1}'
    async with app_for(BEARER, HMAC) as http:
        signed = await http.post(
            "/in", content=payload, headers={HEADER: body_signature(HMAC.secret, payload)}
        )
        forged = await http.post(
            "/in", content=payload, headers={HEADER: body_signature(HMAC.secret, payload + b" ")}
        )
        read = await http.get("/in/x", headers={HEADER: body_signature(HMAC.secret, b"/in/x")})
        unsigned = await http.get("/in/x")
    assert signed.json() == {"client": "helpdesk", "size": len(payload)}
    assert forged.status_code == 401 and forged.json() == {"error": "unauthorized"}
    assert read.json() == {"client": "helpdesk"}
    assert unsigned.status_code == 401


async def test_a_body_over_the_cap_is_refused_declared_or_streamed() -> None:
    auth = {"Authorization": f"Bearer {BEARER.secret}"}
    streamed = Body(b"x" * (CAP + 1))
    async with app_for(BEARER) as http:
        declared = await http.post("/in", content=b"x" * (CAP + 1), headers=auth)
        too_long = await http.post("/in", content=streamed, headers=auth)
        at_cap = await http.post("/in", content=Body(b"x" * CAP), headers=auth)
    for response in (declared, too_long):
        assert response.status_code == 413 and response.json() == {"error": "too big"}
    assert streamed.read
    assert at_cap.json() == {"client": "erp", "size": CAP}


def status_app(temporal: Callable[[], Awaitable[Client]]) -> httpx.AsyncClient:
    @answers_refusals
    async def status(request: Request) -> Response:
        with reading_workflow(not_found="no such thing"):
            client = await temporal()
            described = await client.get_workflow_handle(request.path_params["id"]).describe()
        return JSONResponse({"id": described.id})

    app = Starlette(routes=[Route("/things/{id}", status)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def test_reading_a_workflow_temporal_does_not_know_is_404(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async def temporal() -> Client:
        return time_skipping_env.client

    async with status_app(temporal) as http:
        response = await http.get("/things/never-started")
    assert response.status_code == 404 and response.json() == {"error": "no such thing"}


async def test_reading_a_workflow_while_temporal_is_unreachable_is_503() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"

    async def temporal() -> Client:
        return await Client.connect(address)

    async with status_app(temporal) as http:
        response = await http.get("/things/any")
    assert response.status_code == 503
    assert response.json() == {"error": "the workflow service is unavailable; retry later"}
