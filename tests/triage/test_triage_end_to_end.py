"""Triage end to end on the real dev server: one worker process for both workflows, the
CLI submitting the sample tickets (a duplicate delivery among them), the gateway's
webhook, a `temporal workflow signal` and a CLI correction."""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.conftest import make_settings
from tests.devserver import ROOT, cli_env, start_worker, starter, temporal_cli, wait_status
from tests.triage.harness import ticket_event
from vouchflow.gateway.app import create_app

SAMPLES = ROOT / "vouchflow" / "samples" / "tickets"


def _address(env: WorkflowEnvironment) -> str:
    return env.client.service_client.config.target_host


def triage_status(env: dict[str, str], workflow_id: str) -> dict[str, object]:
    return json.loads(starter(env, "triage", "status", workflow_id, "--json").stdout)


def wait_triage(env: dict[str, str], workflow_id: str, *statuses: str) -> dict[str, object]:
    import time

    deadline = time.monotonic() + 60
    state: dict[str, object] = {}
    while time.monotonic() < deadline:
        proc = starter(env, "triage", "status", workflow_id, "--json", check=False)
        if proc.returncode == 0:
            state = json.loads(proc.stdout)
            if state["status"] in statuses:
                return state
        time.sleep(0.3)
    raise AssertionError(f"{workflow_id} never reached {statuses}: {state.get('status')}")


async def test_worker_cli_webhook_and_temporal_cli_signal(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    address = _address(dev_server)
    queue = f"e2e-triage-{uuid.uuid4().hex[:8]}"
    env = cli_env(address, home, queue)
    starter(env, "identity", "add", "alice")
    starter(env, "identity", "add", "bob")
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        out = starter(env, "triage", "start", str(SAMPLES), "--timeout", "60").stdout
        assert "triage-evt-2026-12-01-0001: started" in out
        assert "triage-evt-2026-12-01-0001: already received (same event_id)" in out
        assert "duplicate delivery" in out

        routes = {
            wid: wait_triage(env, wid, "routed", "awaiting_approval")
            for wid in (
                "triage-evt-2026-12-01-0001",
                "triage-evt-2026-12-01-0002",
                "triage-evt-2026-12-01-0003",
                "triage-evt-2026-12-01-0004",
                "triage-evt-2026-12-01-0006",
            )
        }
        queues = {wid: s["route"]["queue"] for wid, s in routes.items()}  # type: ignore[index]
        assert queues == {
            "triage-evt-2026-12-01-0001": "billing-escalations",
            "triage-evt-2026-12-01-0002": "enterprise-support",
            "triage-evt-2026-12-01-0003": "triage-review",
            "triage-evt-2026-12-01-0004": "triage-review",
            "triage-evt-2026-12-01-0006": "support-bug",
        }
        # One query lists every workflow waiting for a person.
        waiting = temporal_cli(
            address,
            "workflow",
            "list",
            "--query",
            "VouchflowStatus='awaiting_approval' AND WorkflowType='TriageWorkflow'",
            "-o",
            "json",
        ).stdout
        assert "triage-evt-2026-12-01-0003" in waiting and "triage-evt-2026-12-01-0004" in waiting

        # A signal from the temporal CLI, proven by alice's token.
        ambiguous = "triage-evt-2026-12-01-0003"
        token = starter(
            env, "token", "--as", "alice", "--workflow", ambiguous, "--action", "confirm"
        ).stdout.strip()
        temporal_cli(
            address,
            "workflow",
            "signal",
            "--workflow-id",
            ambiguous,
            "--name",
            "confirm",
            "--input",
            json.dumps({"token": token, "comment": "from the temporal CLI"}),
        )
        confirmed = wait_triage(env, ambiguous, "routed")
        assert confirmed["reviewed_by"] == "alice"
        assert confirmed["route"]["queue"] == "support-billing"  # type: ignore[index]

        # A correction from the CLI on the injection attempt.
        injected = "triage-evt-2026-12-01-0004"
        corrected = starter(
            env,
            "triage",
            "correct",
            injected,
            "--as",
            "bob",
            "--category",
            "sales",
            "--reason",
            "asks for pricing; ignore the embedded instructions",
        )
        assert "correct accepted" in corrected.stdout and "support-sales" in corrected.stdout
        state = wait_triage(env, injected, "routed")
        assert state["correction"]["reviewer"] == "bob"  # type: ignore[index]
        refused = starter(env, "triage", "confirm", injected, "--as", "alice", check=False)
        assert refused.returncode != 0

        shown = starter(env, "audit", "show", injected).stdout
        assert "classification.corrected" in shown and "decision.routed" in shown
        explained = starter(env, "explain", injected).stdout
        assert "decided by: deterministic rules classifier (no model)" in explained
        assert "injection flag:" in explained and "correct by bob (cli) accepted" in explained
        assert "correction stored: billing/low -> sales/low by bob" in explained
        assert "hash chain intact" in explained and "How to roll back" in explained

        # The gateway's webhook: authenticated, idempotent by event_id.
        settings = make_settings(home)
        settings = settings.model_copy(
            update={"temporal": settings.temporal.model_copy(update={"task_queue": queue})}
        )

        async def factory() -> Client:
            return dev_server.client

        app = create_app(settings, client_factory=factory, env={"VOUCHFLOW_INTAKE_TOKEN": "s3cret"})
        event = ticket_event(event_id=f"evt-webhook-{uuid.uuid4().hex[:8]}")
        body = event.model_dump_json().encode()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            denied = await http.post("/tickets", content=body)
            assert denied.status_code == 401
            auth = {"Authorization": "Bearer s3cret", "Content-Type": "application/json"}
            first = await http.post("/tickets", content=body, headers=auth)
            again = await http.post("/tickets", content=body, headers=auth)
            assert first.status_code == 202 and again.status_code == 200
            assert first.json()["workflow_id"] == again.json()["workflow_id"]
            bad = await http.post("/tickets", content=b'{"event": "x"}', headers=auth)
            assert bad.status_code == 400 and "support_ticket.created.v1" in bad.json()["error"]
            workflow_id = first.json()["workflow_id"]
            wait_triage(env, workflow_id, "routed")
            status = await http.get(f"/tickets/{workflow_id}", headers=auth)
            assert status.status_code == 200 and status.json()["status"] == "routed"
            # A ticket the CLI submitted is not this client's to read.
            other = await http.get("/tickets/triage-evt-2026-12-01-0002", headers=auth)
            assert other.status_code == 404
        # And the same worker still serves invoices.
        invoice = tmp_path / "note.txt"
        invoice.write_text("hello, this is not an invoice")
        started = starter(env, "start", str(invoice)).stdout.split()[0]
        assert started.startswith("invoice-")
        wait_status(env, started, "rejected_input", "flagged", "awaiting_approval", "drafted")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, (tmp_path / "worker.log").read_text()[-2000:]
