"""The gateway vouches for the people and clients it authenticated, and nobody else.

A fake Temporal client records what the gateway sends; every token it attaches is
checked with the worker's own verifier against the trusted keys in the state dir.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.decisions import DecisionReply, DecisionRequest
from schemas.invoice.workflow import InvoiceWorkflowInput, invoice_workflow_id
from tests.test_gateway import ENV, SIGNING_SECRET, block_actions_payload, signed_click
from vouchflow.documents.blobs import sha256_hex
from vouchflow.gateway.app import create_app
from vouchflow.gateway.auth import body_signature
from vouchflow.gateway.decisions import update_id
from vouchflow.identity.keys import load_trusted, service_key_path
from vouchflow.identity.tokens import ProofRefused, verify_decision_token
from vouchflow.settings import Settings

WORKFLOW_ID = "invoice-0123456789abcdef0123456789abcdef"
ERP_SECRET = "erp-bearer-secret-5d1c9a7e"
SCANNER_SECRET = "scanner-hmac-secret-0b3f88aa"


class FakeHandle:
    def __init__(self, client: FakeClient, workflow_id: str) -> None:
        self.client = client
        self.workflow_id = workflow_id

    async def execute_update(
        self, name: str, arg: Any, *, id: str, result_type: type, rpc_timeout: Any = None
    ) -> DecisionReply:
        self.client.updates.append((self.workflow_id, name, arg, id))
        if self.client.refuse:
            raise WorkflowUpdateFailedError(ApplicationError(self.client.refuse))
        if self.client.gone:
            raise RPCError("workflow execution already completed", RPCStatusCode.NOT_FOUND, b"")
        await asyncio.sleep(self.client.delay_s)
        request = cast(DecisionRequest, arg)
        return DecisionReply(
            kind=request.kind,
            accepted=self.client.accept,
            actor="alice",
            reason=self.client.reason,
            status="drafted" if self.client.accept else "awaiting_approval",
        )

    async def describe(self) -> Any:
        raise RPCError("not found", RPCStatusCode.NOT_FOUND, b"")


class FakeClient:
    """Just what the gateway calls: updates, describe, start_workflow."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, str, Any, str]] = []
        self.started: list[tuple[str, InvoiceWorkflowInput]] = []
        self.delay_s = 0.0
        self.accept = True
        self.reason = "approved <by> alice & co"
        self.gone = False
        self.refuse = ""

    def get_workflow_handle(self, workflow_id: str, **_: Any) -> FakeHandle:
        return FakeHandle(self, workflow_id)

    async def start_workflow(self, workflow: str, arg: Any, *, id: str, **_: Any) -> None:
        self.started.append((id, arg))


@pytest.fixture
async def fake() -> FakeClient:
    return FakeClient()


def app_for(
    settings: Settings, fake: FakeClient, env: dict[str, str] | None = None
) -> httpx.AsyncClient:
    async def factory() -> Client:
        return cast(Client, fake)

    app = create_app(settings, client_factory=factory, env=env if env is not None else ENV)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


@pytest.fixture
async def gw(settings: Settings, fake: FakeClient) -> AsyncIterator[httpx.AsyncClient]:
    async with app_for(settings, fake) as client:
        yield client


def verify(settings: Settings, token: str, action: str, workflow_id: str = WORKFLOW_ID) -> Any:
    return verify_decision_token(
        token, trusted=load_trusted(settings.home), workflow_id=workflow_id, action=action
    )


# ---- Slack -----------------------------------------------------------------------------------


async def test_slack_click_sends_decide_update_with_a_token_for_the_mapped_person(
    gw: httpx.AsyncClient, fake: FakeClient, settings: Settings
) -> None:
    assert service_key_path(settings.home, "gateway").exists()
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID, "approve", "U0ALICE"))
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert response.status_code == 200
    # The workflow's reply is shown, escaped for Slack mrkdwn.
    assert response.json()["text"] == (
        "Approval by alice recorded: approved &lt;by&gt; alice &amp; co"
    )
    ((workflow_id, name, request, uid),) = fake.updates
    assert (workflow_id, name) == (WORKFLOW_ID, "decide")
    assert isinstance(request, DecisionRequest)
    assert (request.kind, request.channel) == ("approve", "slack")
    assert uid == update_id(request)
    actor = verify(settings, request.token, "approve")
    assert (actor.person, actor.issuer, actor.channel) == ("alice", "gateway", "slack")
    assert actor.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=5, seconds=5)
    # Bound to this workflow and this action only.
    with pytest.raises(ProofRefused):
        verify(settings, request.token, "reject")
    with pytest.raises(ProofRefused):
        verify(settings, request.token, "approve", "invoice-ffffffffffffffffffffffffffffffff")


async def test_slack_reject_is_a_reject_token_for_bob(
    gw: httpx.AsyncClient, fake: FakeClient, settings: Settings
) -> None:
    fake.accept, fake.reason = False, "bob is not allowed"
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID, "reject", "U0BOB"))
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert response.json()["text"] == "Rejection by bob refused: bob is not allowed"
    request = fake.updates[0][2]
    assert (request.kind, request.reason) == ("reject", "rejected in Slack")
    assert verify(settings, request.token, "reject").person == "bob"


async def test_unmapped_slack_user_never_becomes_an_identity(
    gw: httpx.AsyncClient, fake: FakeClient
) -> None:
    for user in ("U0MALLORY", "alice", "", "u0alice"):
        body, headers = signed_click(block_actions_payload(WORKFLOW_ID, user_id=user))
        response = await gw.post("/slack/interactions", content=body, headers=headers)
        assert response.status_code == 200
        assert response.json()["response_type"] == "ephemeral"
        assert "not mapped" in response.json()["text"]
    assert fake.updates == []


async def test_slack_users_table_maps_people(tmp_path: Path, fake: FakeClient) -> None:
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "home")
    integrations = dict(settings.integrations)
    integrations["slack"] = {"users": {"U0CAROL": "Carol"}}
    settings = settings.model_copy(update={"integrations": integrations})
    async with app_for(settings, fake) as gw:
        body, headers = signed_click(block_actions_payload(WORKFLOW_ID, user_id="U0CAROL"))
        assert (await gw.post("/slack/interactions", content=body, headers=headers)).is_success
        body, headers = signed_click(block_actions_payload(WORKFLOW_ID, user_id="U0ALICE"))
        refused = await gw.post("/slack/interactions", content=body, headers=headers)
    assert "not mapped" in refused.json()["text"]
    ((_, _, request, _),) = fake.updates
    assert verify(settings, request.token, "approve").person == "carol"


async def test_slow_update_is_answered_in_time_and_finishes_in_the_background(
    gw: httpx.AsyncClient, fake: FakeClient
) -> None:
    fake.delay_s = 4.0
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID))
    started = time.monotonic()
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert time.monotonic() - started < 3.0  # Slack's limit
    assert "being processed" in response.json()["text"]
    assert len(fake.updates) == 1


async def test_click_for_a_finished_workflow_is_answered(
    gw: httpx.AsyncClient, fake: FakeClient
) -> None:
    fake.gone = True
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID))
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert "no longer waiting" in response.json()["text"]


async def test_update_turned_away_by_the_workflow_is_explained(
    gw: httpx.AsyncClient, fake: FakeClient
) -> None:
    fake.refuse = "too many refused decisions <here>: not recorded"
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID))
    response = await gw.post("/slack/interactions", content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["text"] == (
        "Not recorded: the workflow refused the request: "
        "too many refused decisions &lt;here&gt;: not recorded"
    )


async def test_replayed_slack_request_is_refused_even_by_a_restarted_gateway(
    settings: Settings, fake: FakeClient
) -> None:
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID))
    async with app_for(settings, fake) as first:
        assert (await first.post("/slack/interactions", content=body, headers=headers)).is_success
        again = await first.post("/slack/interactions", content=body, headers=headers)
        assert again.status_code == 409
    # A second gateway process (or a restart) shares the memory in the state dir.
    async with app_for(settings, fake) as second:
        third = await second.post("/slack/interactions", content=body, headers=headers)
        assert third.status_code == 409
        # A new click (another action_ts, so another signature) is a new request.
        payload = block_actions_payload(WORKFLOW_ID)
        payload["actions"][0]["action_ts"] = "1700000009.000900"
        body2, headers2 = signed_click(payload)
        assert (
            await second.post("/slack/interactions", content=body2, headers=headers2)
        ).is_success
    assert len(fake.updates) == 2


async def test_concurrent_replays_let_exactly_one_through(
    gw: httpx.AsyncClient, fake: FakeClient
) -> None:
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID))
    responses = await asyncio.gather(
        *(gw.post("/slack/interactions", content=body, headers=headers) for _ in range(8))
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert len(fake.updates) == 1


async def test_replay_memory_forgets_after_the_signature_window(
    settings: Settings, fake: FakeClient
) -> None:
    from vouchflow.gateway.replay import RETENTION_S, ReplayGuard

    guard = ReplayGuard(settings.home / "replay-test.sqlite3")
    assert guard.first_time("v0=abc", now=1000.0)
    assert not guard.first_time("v0=abc", now=1000.0 + 300)
    # Long after the window the signature could not verify anyway; the row is pruned.
    assert guard.first_time("v0=abc", now=1000.0 + RETENTION_S + 1)
    guard.close()


async def test_bad_signature_is_refused_before_the_replay_memory(
    gw: httpx.AsyncClient, fake: FakeClient
) -> None:
    body, headers = signed_click(block_actions_payload(WORKFLOW_ID), secret="wrong")
    for _ in range(2):
        assert (
            await gw.post("/slack/interactions", content=body, headers=headers)
        ).status_code == 401
    good_body, good_headers = signed_click(block_actions_payload(WORKFLOW_ID))
    assert (
        await gw.post("/slack/interactions", content=good_body, headers=good_headers)
    ).is_success
    assert SIGNING_SECRET not in json.dumps([u[2].model_dump() for u in fake.updates])


# ---- webhook clients -------------------------------------------------------------------------


def with_clients(settings: Settings) -> Settings:
    integrations = dict(settings.integrations)
    integrations["gateway"] = {
        **integrations.get("gateway", {}),
        "clients": {
            "acme-erp": {"auth": "bearer", "secret_env": "ACME_ERP_SECRET"},
            "scanner": {"auth": "hmac", "secret_env": "SCANNER_SECRET"},
        },
    }
    return settings.model_copy(update={"integrations": integrations})


async def test_each_webhook_client_is_its_own_submitter_with_a_verifiable_proof(
    settings: Settings, fake: FakeClient
) -> None:
    settings = with_clients(settings)
    env = ENV | {"ACME_ERP_SECRET": ERP_SECRET, "SCANNER_SECRET": SCANNER_SECRET}
    async with app_for(settings, fake, env) as gw:
        erp_doc, scan_doc, legacy_doc = b"erp invoice", b"scanned invoice", b"legacy invoice"
        erp = await gw.post(
            "/invoices",
            content=erp_doc,
            headers={"Authorization": f"Bearer {ERP_SECRET}", "X-Filename": "a.txt"},
        )
        scan = await gw.post(
            "/invoices",
            content=scan_doc,
            headers={"X-Vouchflow-Signature": body_signature(SCANNER_SECRET, scan_doc)},
        )
        legacy = await gw.post(
            "/invoices",
            content=legacy_doc,
            headers={"Authorization": f"Bearer {ENV['VOUCHFLOW_INTAKE_TOKEN']}"},
        )
        # One client's secret used the other way round is nobody's.
        crossed = await gw.post(
            "/invoices",
            content=erp_doc,
            headers={"X-Vouchflow-Signature": body_signature(ERP_SECRET, erp_doc)},
        )
        nobody = await gw.post("/invoices", content=erp_doc)
    assert [r.status_code for r in (erp, scan, legacy)] == [202, 202, 202]
    assert [r.json()["submitted_by"] for r in (erp, scan, legacy)] == [
        "acme-erp",
        "scanner",
        "webhook",
    ]
    assert crossed.status_code == 401 and nobody.status_code == 401
    by_doc = {arg.event.document_sha256: (wid, arg.event) for wid, arg in fake.started}
    for data, client_id in ((erp_doc, "acme-erp"), (scan_doc, "scanner"), (legacy_doc, "webhook")):
        workflow_id, event = by_doc[sha256_hex(data)]
        assert workflow_id == invoice_workflow_id(sha256_hex(data))
        assert event.submitted_by == client_id and event.source == "webhook"
        assert event.submitter_token is not None
        actor = verify(settings, event.submitter_token, "submit", workflow_id)
        assert (actor.person, actor.channel, actor.issuer) == (client_id, "webhook", "gateway")
    assert len(fake.started) == 3


async def test_a_client_config_with_a_bad_id_is_refused(settings: Settings) -> None:
    integrations = dict(settings.integrations)
    integrations["gateway"] = {"clients": {"Not An Id!": {"secret_env": "X"}}}
    with pytest.raises(ValueError):
        create_app(settings.model_copy(update={"integrations": integrations}), env={})


async def test_upload_names_are_one_clean_line(gw: httpx.AsyncClient, fake: FakeClient) -> None:
    auth = {"Authorization": f"Bearer {ENV['VOUCHFLOW_INTAKE_TOKEN']}"}
    hostile = "a\u2028Status: approved by bob\u202e\u200b.pdf\r\nX: y"
    raw = await gw.post(
        "/invoices",
        content=b"doc one",
        headers=auth | {"X-Filename": "x.txt"},
        params={"filename": hostile},
    )
    multipart = await gw.post(
        "/invoices", files={"file": (hostile + "\u2029" + "z" * 500, b"doc two")}, headers=auth
    )
    assert raw.status_code == multipart.status_code == 202
    names = [arg.event.filename for _, arg in fake.started]
    assert names[0] == "x.txt"  # the header wins over the query
    assert names[1].startswith("a Status: approved by bob.pdf") and len(names[1]) <= 200
    for name in names:
        assert not any(ch in name for ch in "\r\n\u2028\u2029\u202e\u200b")


def test_review_page_text_is_one_clean_escaped_line() -> None:
    from vouchflow.gateway.review import _e

    shown = _e("ACME\u202eLTD <script>\u2028Status: approved")
    assert shown == "ACMELTD &lt;script&gt; Status: approved"
