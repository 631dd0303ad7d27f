"""The bundled tier-change samples, as `make demo` submits them (one delivered twice):
the route each takes with the embedded defaults, and the CLI's parsing of them."""

from __future__ import annotations

from pathlib import Path

from temporalio.testing import WorkflowEnvironment

import vouchflow
from tests.proposal.harness import proposal_harness
from vouchflow.cli.app import build_parser
from vouchflow.proposal.cli import demo_tier_changes
from vouchflow.settings import Settings

SAMPLES = Path(vouchflow.__file__).resolve().parent / "samples" / "tier_changes"

EXPECTED = {
    "cus_bluebird": ("scheduled", "execute", "low", None),
    "cus_acme": ("executed", "execute_after_checks", "medium", None),
    "cus_cobalt": ("awaiting_approval", "approval", "high", None),
    "cus_delta": ("rejected", "rejected", None, "downgrade_unpaid_invoices"),
    "cus_ember": ("rejected", "rejected", None, "tier_mismatch"),
    "cus_nowhere": ("rejected", "rejected", None, "customer_not_found"),
    "cus_fjord": ("awaiting_approval", "approval", "high", None),
}


async def test_the_samples_take_their_routes(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        states = await demo_tier_changes(h.client, h.settings, SAMPLES)
        h.submitted += [s.workflow_id for s in states]
        routes = {s.event.customer.id: (s.status, s.route, s.risk, s.rejection) for s in states}
        assert routes == EXPECTED
        # The dry run is there for every change that waits for a person.
        assert all(s.dry_run is not None for s in states if s.status == "awaiting_approval")
        fjord = next(s for s in states if s.event.customer.id == "cus_fjord")
        assert fjord.policy is not None
        assert [r.rule for r in fjord.policy.rules if r.fired] == ["request_instructions"]
        # The first sample was delivered twice: one workflow.
        assert len(states) == len(EXPECTED)


def test_the_cli_knows_the_propose_commands() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["propose", "request", "--customer", "cus_acme", "--tier", "standard", "--text", "x"]
    )
    assert (args.command, args.propose_command, args.tier) == ("propose", "request", "standard")
    args = parser.parse_args(["propose", "reject", "tier-change-1", "--reason", "no"])
    assert args.reason == "no"
