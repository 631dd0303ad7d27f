"""The HTTP gateway against a real Temporal test server and a real worker.

Slack clicks are signed exactly as Slack signs them; intake requests carry a
bearer token or an HMAC of the body. Every refusal is checked against the
workflow history: a refused request must not have delivered any decision.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.documents.blobs import sha256_hex
from vouchflow.gateway.app import create_app
from vouchflow.gateway.auth import body_signature
from vouchflow.notifiers.slack_signature import slack_signature
from vouchflow.runtime.binaries import temporal_test_server_path
from vouchflow.runtime.search_attributes import register_search_attributes
from vouchflow.settings import Settings

SIGNING_SECRET = "test-signing-secret-8c1f"
INTAKE_TOKEN = "test-intake-token-3b9a"
HMAC_SECRET = "test-hmac-secret-77d0"
ENV = {
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "VOUCHFLOW_INTAKE_TOKEN": INTAKE_TOKEN,
    "VOUCHFLOW_INTAKE_HMAC_SECRET": HMAC_SECRET,
}
AUTH = {"Authorization": f"Bearer {INTAKE_TOKEN}"}


# ---- helpers shared with the end-to-end tests -----------------------------------------------


def block_actions_payload(
    workflow_id: str,
    action_id: str = "approve",
    user_id: str = "U0ALICE",
    action_ts: str = "1700000001.000200",
) -> dict[str, Any]:
    """A block_actions callback shaped like the ones Slack sends for our buttons."""
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": "T0VOUCH"},
        "api_app_id": "A0VOUCHFLOW",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": "C0APPROVAL",
            "is_ephemeral": False,
        },
        "trigger_id": "1111.2222.abcd",
        "team": {"id": "T0VOUCH", "domain": "vouchflow"},
        "channel": {"id": "C0APPROVAL", "name": "ap-approvals"},
        "message": {"type": "message", "ts": "1700000000.000100", "text": "Approval needed"},
        "response_url": "https://hooks.slack.com/actions/T0VOUCH/1/abc",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "vouchflow_decision",
                "text": {"type": "plain_text", "text": action_id.title(), "emoji": True},
                "value": workflow_id,
                "style": "primary" if action_id == "approve" else "danger",
                "type": "button",
                "action_ts": action_ts,
            }
        ],
    }


def signed_click(
    payload: Mapping[str, Any],
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    """Body and headers exactly as Slack sends an interactivity request."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": slack_signature(secret, ts, body),
    }
    return body, headers


async def signal_count(client: Client, workflow_id: str) -> int:
    """Decisions that reached the workflow: signals and accepted `decide` updates."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return sum(
        1
        for e in history.events
        if e.HasField("workflow_execution_signaled_event_attributes")
        or e.HasField("workflow_execution_update_accepted_event_attributes")
    )


def answered(response: httpx.Response, reply: str) -> bool:
    """Slack's answer: the workflow's reply, or 'being processed' when it took longer
    than Slack waits (the decision then completes in the background)."""
    text = str(response.json()["text"])
    return reply in text or "is being processed" in text


def review_invoice(number: str) -> bytes:
    # Above the 5,000.00 GBP auto-draft limit: waits for a person.
    return TextInvoice(number=number, lines=[Line("Standing desks", 20, 29900)]).bytes()


# ---- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    # One server for the module: no test here waits on a timer, and every test uses
    # its own documents (so its own workflow ids).
    server = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server_path()),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(server.client, "default")
    try:
        yield server
    finally:
        await server.shutdown()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("gateway") / "home"


@pytest.fixture(scope="module")
async def harness(env: WorkflowEnvironment, home: Path) -> AsyncIterator[Harness]:
    async with running_harness(env, make_settings(home)) as h:
        yield h


def gateway_settings(h: Harness, **gateway: Any) -> Settings:
    integrations = dict(h.settings.integrations)
    integrations["gateway"] = {**integrations.get("gateway", {}), **gateway}
    return h.settings.model_copy(update={"integrations": integrations})


def http(h: Harness, settings: Settings | None = None, **env: str) -> httpx.AsyncClient:
    client = h.client

    async def factory() -> Client:
        return client

    app = create_app(settings or h.settings, client_factory=factory, env=ENV | env)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


async def upload(gw: httpx.AsyncClient, h: Harness, data: bytes, name: str) -> str:
    response = await gw.post("/invoices", content=data, headers=AUTH | {"X-Filename": name})
    assert response.status_code == 202, response.text
    workflow_id = str(response.json()["workflow_id"])
    h.submitted.append(workflow_id)
    return workflow_id


async def awaiting(h: Harness, number: str) -> tuple[httpx.AsyncClient, str]:
    gw = http(h)
    workflow_id = await upload(gw, h, review_invoice(number), f"{number}.txt")
    await h.wait_status(workflow_id, "awaiting_approval")
    return gw, workflow_id


# ---- Slack interactions ---------------------------------------------------------------------


async def test_double_click_approve_yields_one_decision_and_one_bill(harness: Harness) -> None:
    gw, workflow_id = await awaiting(harness, "GW-SLACK-1")
    # Two real clicks are two requests (each its own action_ts, so its own signature).
    first_click = signed_click(block_actions_payload(workflow_id, action_ts="1700000001.1"))
    second_click = signed_click(block_actions_payload(workflow_id, action_ts="1700000001.2"))
    first, second = await asyncio.gather(
        gw.post("/slack/interactions", content=first_click[0], headers=first_click[1]),
        gw.post("/slack/interactions", content=second_click[0], headers=second_click[1]),
    )
    assert first.status_code == second.status_code == 200
    assert first.json()["response_type"] == "ephemeral"
    texts = sorted([first.json()["text"], second.json()["text"]])
    assert any("Approval by alice recorded" in t or "being processed" in t for t in texts)

    state = await harness.wait_for(
        workflow_id,
        lambda s: s.status == "drafted" and len(s.decisions) == 2,
        what="drafted with both clicks recorded",
    )
    accepted = [d for d in state.decisions if d.accepted]
    refused = [d for d in state.decisions if not d.accepted]
    assert [(d.kind, d.actor, d.channel) for d in accepted] == [("approve", "alice", "slack")]
    assert [(d.kind, d.actor) for d in refused] == [("approve", "alice")]
    assert await signal_count(harness.client, workflow_id) == 2
    ledger = harness.deps.destination
    assert isinstance(ledger, LocalLedger)
    assert [b.workflow_id for b in ledger.list_bills()].count(workflow_id) == 1
    types = [r.type for r in harness.deps.audit.trail(workflow_id)]
    assert types.count("decision.approved") == 1 and types.count("decision.refused") == 1


async def test_replayed_click_is_refused_and_decides_nothing_more(harness: Harness) -> None:
    gw, workflow_id = await awaiting(harness, "GW-SLACK-6")
    body, headers = signed_click(block_actions_payload(workflow_id, "reject", user_id="U0BOB"))
    assert (await gw.post("/slack/interactions", content=body, headers=headers)).is_success
    await harness.wait_status(workflow_id, "rejected")
    # Captured and sent again within the five-minute window, by anyone.
    replayed = await gw.post("/slack/interactions", content=body, headers=headers)
    assert replayed.status_code == 409
    assert await signal_count(harness.client, workflow_id) == 1
    assert len((await harness.state(workflow_id)).decisions) == 1


async def test_reject_click_rejects_in_the_name_of_the_mapped_reviewer(harness: Harness) -> None:
    gw, workflow_id = await awaiting(harness, "GW-SLACK-2")
    body, headers = signed_click(block_actions_payload(workflow_id, "reject", user_id="U0BOB"))
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert response.status_code == 200 and answered(response, "Rejection by bob recorded")
    state = await harness.wait_status(workflow_id, "rejected")
    (decision,) = state.decisions
    assert (decision.kind, decision.actor, decision.reason, decision.channel) == (
        "reject",
        "bob",
        "rejected in Slack",
        "slack",
    )
    assert state.draft_bill is None
    # Proven by the gateway's signed token for the mapped person, verified by the worker.
    assert decision.proof.startswith("token:gateway/")


async def test_bad_stale_or_missing_signatures_are_refused_and_signal_nothing(
    harness: Harness,
) -> None:
    gw, workflow_id = await awaiting(harness, "GW-SLACK-3")
    payload = block_actions_payload(workflow_id)
    good_body, good_headers = signed_click(payload)
    stale_ts = int(time.time()) - 301
    cases: dict[str, tuple[bytes, dict[str, str]]] = {
        "wrong secret": signed_click(payload, secret="not-the-secret"),
        "stale timestamp": signed_click(payload, timestamp=stale_ts),
        "future timestamp": signed_click(payload, timestamp=int(time.time()) + 301),
        "tampered body": (
            good_body.replace(b"approve", b"reject"),
            good_headers,
        ),
        "timestamp swapped after signing": (
            good_body,
            good_headers | {"X-Slack-Request-Timestamp": str(int(time.time()) - 1)},
        ),
        "no signature": (
            good_body,
            {k: v for k, v in good_headers.items() if k != "X-Slack-Signature"},
        ),
        "no timestamp": (
            good_body,
            {k: v for k, v in good_headers.items() if k != "X-Slack-Request-Timestamp"},
        ),
        "not hex": (good_body, good_headers | {"X-Slack-Signature": "v0=zzz"}),
    }
    for name, (body, headers) in cases.items():
        response = await gw.post("/slack/interactions", content=body, headers=headers)
        assert response.status_code == 401, name
    assert await signal_count(harness.client, workflow_id) == 0
    state = await harness.state(workflow_id)
    assert state.status == "awaiting_approval" and state.decisions == []

    # The same request, correctly signed and fresh, goes through.
    response = await gw.post("/slack/interactions", content=good_body, headers=good_headers)
    assert response.status_code == 200
    await harness.wait_status(workflow_id, "drafted")


async def test_unmapped_slack_user_is_told_and_nothing_is_signalled(harness: Harness) -> None:
    gw, workflow_id = await awaiting(harness, "GW-SLACK-4")
    audit_before = len(harness.deps.audit.trail(workflow_id))
    body, headers = signed_click(block_actions_payload(workflow_id, user_id="U0MALLORY"))
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "not mapped to a vouchflow reviewer" in response.json()["text"]
    assert await signal_count(harness.client, workflow_id) == 0
    # (Effects of reaching the approval step may still be audited meanwhile.)
    after = harness.deps.audit.trail(workflow_id)[audit_before:]
    assert not [r.type for r in after if r.type.startswith("decision")]
    assert (await harness.state(workflow_id)).status == "awaiting_approval"


async def test_signed_but_malformed_callbacks_are_bad_requests(harness: Harness) -> None:
    gw = http(harness)
    bodies = [
        {"type": "view_submission", "user": {"id": "U0ALICE"}},
        block_actions_payload("invoice-0123456789abcdef", action_id="delete"),
        block_actions_payload("some-other-workflow"),
        {"type": "block_actions", "user": {"id": "U0ALICE"}, "actions": []},
    ]
    for payload in bodies:
        body, headers = signed_click(payload)
        response = await gw.post("/slack/interactions", content=body, headers=headers)
        assert response.status_code == 400, payload
    ts = str(int(time.time()))
    junk = b"payload=%7Bnot-json"
    response = await gw.post(
        "/slack/interactions",
        content=junk,
        headers={
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": slack_signature(SIGNING_SECRET, ts, junk),
        },
    )
    assert response.status_code == 400


async def test_click_for_a_finished_workflow_is_answered_not_failed(harness: Harness) -> None:
    gw, workflow_id = await awaiting(harness, "GW-SLACK-5")
    await harness.handle(workflow_id).terminate("test")
    body, headers = signed_click(block_actions_payload(workflow_id))
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert response.status_code == 200
    assert "no longer waiting" in response.json()["text"]


async def test_slack_route_without_signing_secret_refuses_everything(harness: Harness) -> None:
    gw = http(harness, SLACK_SIGNING_SECRET="")
    body, headers = signed_click(block_actions_payload("invoice-0123456789abcdef"), secret="")
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert response.status_code == 503


# ---- intake -------------------------------------------------------------------------------------


async def test_raw_upload_with_bearer_token_starts_once_and_reports_status(
    harness: Harness,
) -> None:
    gw = http(harness)
    data = review_invoice("GW-IN-1")
    response = await gw.post(
        "/invoices?filename=query-name.txt",
        content=data,
        headers=AUTH | {"Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 202, response.text
    created = response.json()
    workflow_id = created["workflow_id"]
    harness.submitted.append(workflow_id)
    assert workflow_id.startswith("invoice-") and created["started"] is True
    assert created["status_url"] == f"http://gateway/invoices/{workflow_id}"

    # What `curl --data-binary @file` sends: form-urlencoded by default, still the raw file.
    again = await gw.post(
        "/invoices",
        content=data,
        headers=AUTH
        | {"X-Filename": "again.txt", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert again.status_code == 200
    assert again.json()["workflow_id"] == workflow_id and again.json()["started"] is False

    await harness.wait_status(workflow_id, "awaiting_approval")
    status = await gw.get(created["status_url"], headers=AUTH)
    assert status.status_code == 200
    body = status.json()
    assert body["workflow_id"] == workflow_id and body["status"] == "awaiting_approval"
    assert body["event"]["filename"] == "query-name.txt"
    assert body["event"]["source"] == "webhook" and body["event"]["submitted_by"] == "webhook"
    assert body["assessment"]["invoice"]["total_minor"] == 717_600


async def test_multipart_upload_uses_the_part_filename(harness: Harness) -> None:
    gw = http(harness)
    data = review_invoice("GW-IN-2")
    response = await gw.post(
        "/invoices",
        files={"file": ("..\\..\\etc/desks.txt", data, "text/plain")},
        headers=AUTH,
    )
    assert response.status_code == 202, response.text
    workflow_id = response.json()["workflow_id"]
    harness.submitted.append(workflow_id)
    state = await harness.wait_status(workflow_id, "awaiting_approval")
    assert state.event.filename == "desks.txt"
    assert state.event.size_bytes == len(data)
    assert harness.deps.blobs.get(state.event.document_sha256) == data

    no_file = await gw.post("/invoices", files={"note": (None, "no file")}, headers=AUTH)
    assert no_file.status_code == 400


async def test_bearer_token_is_required(harness: Harness) -> None:
    gw = http(harness)
    data = review_invoice("GW-IN-3")
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {INTAKE_TOKEN}"},
        {"Authorization": INTAKE_TOKEN},
    ):
        response = await gw.post("/invoices", content=data, headers=headers)
        assert response.status_code == 401, headers
    assert not harness.deps.blobs.exists(sha256_hex(data))
    unconfigured = http(harness, VOUCHFLOW_INTAKE_TOKEN="")
    response = await unconfigured.post(
        "/invoices", content=data, headers={"Authorization": "Bearer "}
    )
    assert response.status_code == 503


async def test_hmac_mode_checks_the_body_signature(harness: Harness) -> None:
    gw = http(harness, gateway_settings(harness, intake_auth="hmac"))
    data = review_invoice("GW-IN-4")
    bad = await gw.post(
        "/invoices",
        content=data,
        headers={"X-Vouchflow-Signature": body_signature("wrong", data), "X-Filename": "h.txt"},
    )
    assert bad.status_code == 401
    tampered = await gw.post(
        "/invoices",
        content=data + b" ",
        headers={"X-Vouchflow-Signature": body_signature(HMAC_SECRET, data)},
    )
    assert tampered.status_code == 401
    bearer = await gw.post("/invoices", content=data, headers=AUTH)
    assert bearer.status_code == 401  # the mode is hmac: a token is not enough

    good = await gw.post(
        "/invoices",
        content=data,
        headers={"X-Vouchflow-Signature": body_signature(HMAC_SECRET, data), "X-Filename": "h.txt"},
    )
    assert good.status_code == 202, good.text
    workflow_id = good.json()["workflow_id"]
    harness.submitted.append(workflow_id)
    await harness.wait_status(workflow_id, "awaiting_approval")

    path = f"/invoices/{workflow_id}"
    status = await gw.get(
        path, headers={"X-Vouchflow-Signature": body_signature(HMAC_SECRET, path.encode())}
    )
    assert status.status_code == 200 and status.json()["status"] == "awaiting_approval"
    unsigned = await gw.get(
        path, headers={"X-Vouchflow-Signature": body_signature(HMAC_SECRET, b"")}
    )
    assert unsigned.status_code == 401


async def test_size_cap_is_enforced_while_reading(harness: Harness) -> None:
    small = harness.settings.model_copy(
        update={"intake": harness.settings.intake.model_copy(update={"max_file_bytes": 1000})}
    )
    gw = http(harness, small)
    big = b"x" * 5000

    declared = await gw.post("/invoices", content=big, headers=AUTH | {"X-Filename": "big.txt"})
    assert declared.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the limit must hold while the body streams in.
        for _ in range(50):
            yield b"y" * 100

    streamed = await gw.post("/invoices", content=chunks(), headers=AUTH)
    assert streamed.status_code == 413

    multipart = await gw.post("/invoices", files={"file": ("big.txt", big)}, headers=AUTH)
    assert multipart.status_code == 413

    at_limit = await gw.post("/invoices", files={"file": ("ok.txt", b"z" * 1000)}, headers=AUTH)
    assert at_limit.status_code == 202
    harness.submitted.append(at_limit.json()["workflow_id"])
    empty = await gw.post("/invoices", content=b"", headers=AUTH)
    assert empty.status_code == 400


async def test_status_of_unknown_or_malformed_ids_is_404_and_needs_auth(harness: Harness) -> None:
    gw = http(harness)
    missing = await gw.get("/invoices/invoice-0123456789abcdef0123456789abcdef", headers=AUTH)
    assert missing.status_code == 404
    malformed = await gw.get("/invoices/not-an-invoice", headers=AUTH)
    assert malformed.status_code == 404
    unauthorized = await gw.get("/invoices/invoice-0123456789abcdef0123456789abcdef")
    assert unauthorized.status_code == 401


async def test_each_client_sees_only_what_it_submitted(harness: Harness) -> None:
    other_secret = "other-client-secret-5b7e21"
    settings = gateway_settings(
        harness, clients={"other-erp": {"auth": "bearer", "secret_env": "OTHER_ERP"}}
    )
    gw = http(harness, settings, OTHER_ERP=other_secret)
    other = {"Authorization": f"Bearer {other_secret}"}
    mine = await upload(gw, harness, review_invoice("GW-IN-OWN"), "own.txt")
    response = await gw.post("/invoices", content=review_invoice("GW-IN-OTHER"), headers=other)
    assert response.status_code == 202 and response.json()["submitted_by"] == "other-erp"
    theirs = response.json()["workflow_id"]
    harness.submitted.append(theirs)
    await harness.wait_status(theirs, "awaiting_approval")
    await harness.wait_status(mine, "awaiting_approval")
    assert (await gw.get(f"/invoices/{mine}", headers=AUTH)).status_code == 200
    assert (await gw.get(f"/invoices/{theirs}", headers=other)).status_code == 200
    # Not the other's, and not something submitted another way (the CLI, the folder).
    assert (await gw.get(f"/invoices/{theirs}", headers=AUTH)).status_code == 404
    assert (await gw.get(f"/invoices/{mine}", headers=other)).status_code == 404
    cli = await harness.submit(review_invoice("GW-IN-CLI"))
    await harness.wait_status(cli.workflow_id, "awaiting_approval")
    assert (await gw.get(f"/invoices/{cli.workflow_id}", headers=AUTH)).status_code == 404
    state = await harness.state(theirs)
    assert state.event.submitted_by == "other-erp" and state.submitter == "other-erp"


# ---- health -------------------------------------------------------------------------------------


async def test_healthz_reports_temporal_reachability(harness: Harness) -> None:
    response = await http(harness).get("/healthz")
    assert response.status_code == 200
    assert response.json()["temporal"] == {"reachable": True}
    assert response.json()["intake_configured"] is True

    async def unreachable() -> Client:
        raise RuntimeError("no server")

    app = create_app(harness.settings, client_factory=unreachable, env={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as gw:
        down = await gw.get("/healthz")
        assert down.status_code == 200
        assert down.json()["temporal"] == {"reachable": False}
        assert down.json()["slack_configured"] is False
        refused = await gw.post("/invoices", content=b"data", headers=AUTH)
        assert refused.status_code == 503

    configured = create_app(harness.settings, client_factory=unreachable, env=ENV)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=configured), base_url="http://gateway"
    ) as gw:
        intake = await gw.post("/invoices", content=b"data", headers=AUTH)
        assert intake.status_code == 503
        body, headers = signed_click(block_actions_payload("invoice-0123456789abcdef"))
        click = await gw.post("/slack/interactions", content=body, headers=headers)
        # Slack still gets its answer; the person is told the decision was not recorded.
        assert click.status_code == 200 and "Could not record" in click.json()["text"]
