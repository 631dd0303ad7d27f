"""The `propose` and `triage` command groups on the real time-skipping server: status,
a signed decision the workflow refuses (exit 3) or accepts (exit 0), and unknown ids
named in each group's own words. Both groups send decisions and read states through
vouchflow/cli/workflow_commands.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.proposal.harness import proposal_harness, tier_request
from tests.triage.harness import ticket_event, triage_harness
from vouchflow.cli.app import build_parser
from vouchflow.identity.keys import ensure_person
from vouchflow.proposal.cli import ProposalCliError, run_propose
from vouchflow.proposal.settings import ApprovalSettings, ProposalSettings
from vouchflow.settings import Settings
from vouchflow.triage.cli import TriageCliError, run_triage

Run = Callable[..., int]
AMBIGUOUS = "Not sure: the last invoice looks different from the dashboard. Could be a bug?"


def on_server(settings: Settings, env: WorkflowEnvironment) -> Settings:
    """The harness's settings, with the CLI pointed at the test server."""
    address = env.client.service_client.config.target_host
    return settings.model_copy(
        update={"temporal": settings.temporal.model_copy(update={"address": address})}
    )


def json_printed(out: str) -> dict[str, object]:
    """The JSON object a command printed. The worker runs in this process and its
    notification log lines may land in the same captured stdout, before or after it."""
    start = next(i for i, line in enumerate(out.splitlines(keepends=True)) if line[:1] == "{")
    text = "".join(out.splitlines(keepends=True)[start:])
    found, _ = json.JSONDecoder().raw_decode(text)
    assert isinstance(found, dict)
    return found


async def command(run: Run, settings: Settings, *argv: str) -> int:
    # Each command runs its own event loop, as from the shell.
    args = build_parser().parse_args(list(argv))
    return await asyncio.to_thread(run, args, settings)


async def test_propose_status_refused_and_accepted_decisions(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listed = ProposalSettings(approval=ApprovalSettings(approvers=["carol"]))
    async with proposal_harness(time_skipping_env, settings, proposal=listed) as h:
        cli = on_server(h.settings, time_skipping_env)
        for person in ("carol", "mallory"):
            ensure_person(cli.home, person)
        event = tier_request(
            "Upgrade to premium from the 1st of next month.",
            customer_id="cus_cobalt",
            tier="basic",
            now=await h.now(),
        )
        wid = (await h.start(event)).workflow_id
        await h.wait_status(wid, "awaiting_approval")
        capsys.readouterr()

        assert await command(run_propose, cli, "propose", "status", wid, "--json") == 0
        assert json_printed(capsys.readouterr().out)["status"] == "awaiting_approval"

        refused = await command(run_propose, cli, "propose", "approve", wid, "--as", "mallory")
        out = capsys.readouterr().out
        assert refused == 3 and f"approve REFUSED for {wid} by mallory:" in out

        accepted = await command(
            run_propose, cli, "propose", "reject", wid, "--as", "carol", "--reason", "not now"
        )
        assert accepted == 0 and f"reject accepted for {wid} by carol" in capsys.readouterr().out
        state = await h.result(wid)
        assert state.status == "rejected" and [d.accepted for d in state.decisions] == [
            False,
            True,
        ]
        assert await command(run_propose, cli, "propose", "status", wid) == 0
        listing = capsys.readouterr().out
        assert "- approve by mallory refused" in listing
        assert "- reject by carol accepted" in listing

        with pytest.raises(ProposalCliError, match="no tier-change workflow with id nope-1"):
            await command(run_propose, cli, "propose", "status", "nope-1")
        with pytest.raises(ProposalCliError, match="no workflow with id nope-2"):
            await command(run_propose, cli, "propose", "approve", "nope-2", "--as", "carol")


async def test_triage_status_and_a_confirmation(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with triage_harness(time_skipping_env, settings) as h:
        cli = on_server(h.settings, time_skipping_env)
        ensure_person(cli.home, "alice")
        wid = (await h.start(ticket_event(subject="Something is off", body=AMBIGUOUS))).workflow_id
        await h.wait_status(wid, "awaiting_approval")
        capsys.readouterr()

        assert await command(run_triage, cli, "triage", "status", wid, "--json") == 0
        assert json_printed(capsys.readouterr().out)["status"] == "awaiting_approval"

        confirmed = await command(run_triage, cli, "triage", "confirm", wid, "--as", "alice")
        assert confirmed == 0 and f"confirm accepted for {wid} by alice" in capsys.readouterr().out
        state = await h.wait_status(wid, "routed")
        assert state.decisions[-1].actor == "alice"

        with pytest.raises(TriageCliError, match="no triage workflow with id nope-3"):
            await command(run_triage, cli, "triage", "status", "nope-3")
