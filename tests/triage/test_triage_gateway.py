"""The gateway's triage webhook: client credentials, size cap, event validation,
idempotent delivery, and status readable only by the client that submitted."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.triage.harness import ticket_event, triage_harness
from vouchflow.gateway.auth import body_signature
from vouchflow.gateway.config import ClientSecret
from vouchflow.settings import Settings
from vouchflow.triage.gateway import triage_routes
from vouchflow.triage.intake import MAX_EVENT_BYTES

CLIENTS = [
    ClientSecret(client_id="helpdesk", auth="hmac", secret="hmac-secret"),
    ClientSecret(client_id="crm", auth="bearer", secret="bearer-secret"),
]
HEADER = "X-Vouchflow-Signature"


def app_for(client: Client, task_queue: str, clients: list[ClientSecret] = CLIENTS) -> Starlette:
    async def temporal() -> Client:
        return client

    return Starlette(
        routes=triage_routes(
            clients=clients, hmac_header=HEADER, temporal=temporal, task_queue=task_queue
        )
    )


async def test_webhook_clients_deliver_once_and_read_only_their_own(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with triage_harness(time_skipping_env, settings) as h:
        app = app_for(h.client, h.settings.temporal.task_queue)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            body = ticket_event().model_dump_json().encode()
            signed = {HEADER: body_signature("hmac-secret", body)}
            forged = {HEADER: body_signature("hmac-secret", body + b" ")}
            assert (await http.post("/tickets", content=body, headers=forged)).status_code == 401
            first = await http.post("/tickets", content=body, headers=signed)
            again = await http.post("/tickets", content=body, headers=signed)
            assert (first.status_code, again.status_code) == (202, 200)
            assert first.json()["submitted_by"] == "helpdesk"
            assert again.json()["started"] is False
            other = body.replace(b"charged twice", b"charged thrice")
            assert other != body
            clash = await http.post(
                "/tickets", content=other, headers={HEADER: body_signature("hmac-secret", other)}
            )
            assert clash.status_code == 409 and "first delivery stands" in clash.json()["error"]
            workflow_id = first.json()["workflow_id"]
            await h.result(workflow_id)
            path = f"/tickets/{workflow_id}"
            mine = await http.get(
                path, headers={HEADER: body_signature("hmac-secret", path.encode())}
            )
            assert mine.status_code == 200 and mine.json()["status"] == "routed"
            theirs = await http.get(path, headers={"Authorization": "Bearer bearer-secret"})
            assert theirs.status_code == 404
            h.submitted.append(workflow_id)


async def test_webhook_refuses_what_is_not_an_event_or_too_large(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with triage_harness(time_skipping_env, settings) as h:
        bearer = {"Authorization": "Bearer bearer-secret"}
        transport = httpx.ASGITransport(app=app_for(h.client, h.settings.temporal.task_queue))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            huge = b'{"x": "' + b"a" * (MAX_EVENT_BYTES + 10) + b'"}'
            assert (await http.post("/tickets", content=huge, headers=bearer)).status_code == 413
            bad = await http.post("/tickets", content=b"[1, 2", headers=bearer)
            assert bad.status_code == 400 and "not JSON" in bad.json()["error"]
            floaty = ticket_event().model_dump(mode="json")
            floaty["customer"]["arr"]["amount_minor"] = 1.5
            refused = await http.post("/tickets", json=floaty, headers=bearer)
            assert refused.status_code == 400
            assert "customer.arr.amount_minor" in refused.json()["error"]
            nobody = await http.post("/tickets", json=floaty)
            assert nobody.status_code == 401
        closed = httpx.ASGITransport(app=app_for(h.client, "q", clients=[]))
        async with httpx.AsyncClient(transport=closed, base_url="http://gw") as http:
            assert (await http.post("/tickets", json=floaty, headers=bearer)).status_code == 503
