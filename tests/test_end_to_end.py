"""End to end on the real dev server: worker and CLI as separate processes, a signal
sent with the `temporal` CLI, and a worker killed with SIGKILL mid-workflow."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.devserver import cli_env, start_worker, starter, status_json, temporal_cli, wait_status
from tests.invoice_texts import Line, TextInvoice


def _address(env: WorkflowEnvironment) -> str:
    return env.client.service_client.config.target_host


def _bills(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "ledger.sqlite3") as db:
        return list(db.execute("SELECT workflow_id, status FROM draft_bills"))


async def no_activity_in_flight(env: WorkflowEnvironment, workflow_id: str) -> None:
    handle = env.client.get_workflow_handle(workflow_id)
    for _ in range(600):
        if not (await handle.describe()).raw_description.pending_activities:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{workflow_id} still has an activity in flight")


def _token(env: dict[str, str], person: str, workflow_id: str, action: str) -> str:
    out = starter(
        env, "token", "--as", person, "--workflow", workflow_id, "--action", action
    ).stdout
    return out.strip()


async def test_cli_worker_and_temporal_cli_signal(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    address = _address(dev_server)
    env = cli_env(address, home, f"e2e-{uuid.uuid4().hex[:8]}")
    invoice = tmp_path / "desks.txt"
    invoice.write_bytes(
        TextInvoice(number="E2E-1", lines=[Line("Standing desks", 20, 29900)]).bytes()
    )
    starter(env, "identity", "add", "clerk")
    starter(env, "identity", "add", "alice")
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        out = starter(env, "start", str(invoice), "--as", "clerk").stdout
        workflow_id = out.split()[0]
        assert workflow_id.startswith("invoice-")
        wait_status(env, workflow_id, "awaiting_approval")

        listed = starter(env, "list", "--awaiting").stdout
        assert workflow_id[:20] in listed
        visible = temporal_cli(
            address,
            "workflow",
            "list",
            "--query",
            "VouchflowStatus='awaiting_approval'",
            "-o",
            "json",
        ).stdout
        assert workflow_id in visible

        temporal_cli(
            address,
            "workflow",
            "signal",
            "--workflow-id",
            workflow_id,
            "--name",
            "approve",
            "--input",
            json.dumps(
                {
                    "token": _token(env, "alice", workflow_id, "approve"),
                    "comment": "approved from the temporal CLI",
                }
            ),
        )
        state = wait_status(env, workflow_id, "drafted")
        approval = state["decisions"][-1]
        assert approval["accepted"] and approval["actor"] == "alice"
        assert approval["comment"] == "approved from the temporal CLI"
        assert _bills(home) == [(workflow_id, "DRAFT")]

        # --reviewer is a deprecated alias of --as; the key file is the proof either way.
        refused = starter(env, "approve", workflow_id, "--reviewer", "alice", check=False)
        assert refused.returncode == 3 and "REFUSED" in refused.stdout
        assert "deprecated" in refused.stderr

        assert "decision.approved" in starter(env, "audit", "show", workflow_id).stdout
        explained = starter(env, "explain", workflow_id).stdout
        assert "approve by alice (temporal-cli) accepted" in explained
        assert "Confidence" in explained and "How to roll back" in explained
        assert starter(env, "audit", "verify").returncode == 0

        reverted = starter(env, "revert", workflow_id, "--as", "alice").stdout
        assert "revert accepted" in reverted and "by alice" in reverted
        assert status_json(env, workflow_id)["status"] == "reverted"
        assert _bills(home) == [(workflow_id, "DELETED")]
        late = starter(env, "cancel-email", workflow_id, "--as", "alice", check=False)
        assert late.returncode == 3
        assert "the workflow has finished (reverted)" in late.stdout
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, (tmp_path / "worker.log").read_text()[-2000:]


async def test_worker_killed_before_posting_resumes_with_exactly_one_draft(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = cli_env(_address(dev_server), home, f"crash-{uuid.uuid4().hex[:8]}")
    invoice = tmp_path / "crash.txt"
    invoice.write_bytes(
        TextInvoice(number="CRASH-1", lines=[Line("Standing desks", 20, 29900)]).bytes()
    )
    starter(env, "identity", "add", "alice")
    first = start_worker(env, tmp_path / "worker1.log")
    workflow_id = starter(env, "start", str(invoice), "--submitted-by", "clerk").stdout.split()[0]
    state = wait_status(env, workflow_id, "awaiting_approval")
    assert state["extraction"] is not None and state["draft_bill"] is None
    # The crash this test is about comes while the run waits for a person. The review
    # notice may still be on its way: a worker killed inside it leaves that activity to
    # time out before anything else runs, which is another test's subject.
    await no_activity_in_flight(dev_server, workflow_id)

    first.send_signal(signal.SIGKILL)  # no graceful anything
    first.wait(timeout=10)
    temporal_cli(
        _address(dev_server),
        "workflow",
        "signal",
        "--workflow-id",
        workflow_id,
        "--name",
        "approve",
        "--input",
        json.dumps({"token": _token(env, "alice", workflow_id, "approve")}),
    )
    second = start_worker(env, tmp_path / "worker2.log")
    try:
        state = wait_status(env, workflow_id, "drafted", timeout_s=90)
        assert state["draft_bill"]["status"] == "DRAFT"
        assert _bills(home) == [(workflow_id, "DRAFT")]
        assert starter(env, "audit", "verify").returncode == 0
        trail = starter(env, "audit", "show", workflow_id, "--json").stdout.splitlines()
        types = [json.loads(line)["type"] for line in trail]
        assert types.count("decision.routed") == 1
        assert types.count("decision.approved") == 1
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)


def test_cli_says_how_to_start_temporal_when_unreachable(tmp_path: Path) -> None:
    env = cli_env("127.0.0.1:1", tmp_path / "home", "none")
    proc = starter(env, "list", check=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "make up" in lines[0] and "127.0.0.1:1" in lines[0]


async def test_decisions_are_proven_by_the_deciders_own_key(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = cli_env(_address(dev_server), home, f"ident-{uuid.uuid4().hex[:8]}")
    for person in ("clerk", "alice", "bob"):
        starter(env, "identity", "add", person)
    invoice = tmp_path / "chairs.txt"
    invoice.write_bytes(
        TextInvoice(number="ID-77", lines=[Line("Standing desks", 20, 29900)]).bytes()
    )
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        started = starter(env, "start", str(invoice), "--as", "clerk")
        assert "unproven" not in started.stderr
        workflow_id = started.stdout.split()[0]
        wait_status(env, workflow_id, "awaiting_approval")

        # The proven submitter cannot approve their own invoice (four-eyes).
        own = starter(env, "approve", workflow_id, "--as", "clerk", check=False)
        assert own.returncode == 3 and "REFUSED" in own.stdout

        # Typing another name is not enough: it takes that person's key.
        forged = starter(
            env,
            "approve",
            workflow_id,
            "--as",
            "alice",
            "--key",
            str(home / "identity" / "people" / "bob.pem"),
            check=False,
        )
        assert forged.returncode == 1
        assert forged.stderr.strip() == (
            f"error: the key in {home / 'identity' / 'people' / 'bob.pem'} is not alice's "
            "trusted key"
        )

        # A token for another action, or made for another workflow, is refused by the
        # workflow even when sent by hand.
        temporal_cli(
            _address(dev_server),
            "workflow",
            "signal",
            "--workflow-id",
            workflow_id,
            "--name",
            "approve",
            "--input",
            json.dumps({"token": _token(env, "alice", workflow_id, "reject")}),
        )
        deadline = time.monotonic() + 30
        refusals: list[str] = []
        while time.monotonic() < deadline and not any("not 'approve'" in r for r in refusals):
            state = status_json(env, workflow_id)
            refusals = [d["reason"] for d in state["decisions"] if not d["accepted"]]
            await asyncio.sleep(0.3)
        assert any("the token allows 'reject', not 'approve'" in r for r in refusals), refusals
        assert status_json(env, workflow_id)["status"] == "awaiting_approval"

        # A revoked person's key stops working at once.
        starter(env, "identity", "revoke", "bob")
        revoked = starter(env, "approve", workflow_id, "--as", "bob", check=False)
        assert revoked.returncode == 3 and "not trusted" in revoked.stdout

        # Nobody named, no environment: the CLI asks who decides.
        anonymous = starter(env, "reject", workflow_id, "--reason", "x", check=False)
        assert anonymous.returncode == 1 and "--as" in anonymous.stderr

        via_env = dict(env, VOUCHFLOW_IDENTITY="alice")
        approved = starter(via_env, "approve", workflow_id, "--comment", "ok")
        assert "approve accepted" in approved.stdout and "by alice" in approved.stdout
        state = wait_status(env, workflow_id, "drafted")
        accepted = [d for d in state["decisions"] if d["accepted"]]
        assert [(d["kind"], d["actor"]) for d in accepted] == [("approve", "alice")]
        assert accepted[0]["proof"].startswith("token:alice/")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
