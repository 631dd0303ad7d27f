"""The rules parser, validation and policy as plain functions (no Temporal)."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.proposal.billing import BillingAccount
from schemas.proposal.decisions import PolicyDecision
from schemas.proposal.proposal import ProposalReading, TierUpgradeProposal, build_proposal
from tests.proposal.harness import tier_request
from vouchflow.proposal.parser_rules import parse_with_rules
from vouchflow.proposal.policy import POLICY_VERSION, decide_policy
from vouchflow.proposal.settings import PolicySettings
from vouchflow.proposal.validation import validate_proposal
from vouchflow.stores.billing import period_for, prorate

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
DEC_1 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "current", "target", "when"),
    [
        ("Please move us to premium from the 1st of next month.", "standard", "premium", DEC_1),
        ("We are on basic and want premium next month.", "basic", "premium", DEC_1),
        (
            "Downgrade from standard to basic on 2026-12-15.",
            "standard",
            "basic",
            dt.datetime(2026, 12, 15, tzinfo=dt.UTC),
        ),
        (
            "Switch our premium plan to basic from March 3.",
            "premium",
            "basic",
            dt.datetime(2027, 3, 3, tzinfo=dt.UTC),
        ),
        (
            "Upgrade to premium tomorrow",
            "standard",
            "premium",
            dt.datetime(2026, 11, 21, tzinfo=dt.UTC),
        ),
        ("Upgrade to premium", "standard", "premium", NOW),
    ],
)
def test_the_rules_parser_reads_tiers_and_dates(
    text: str, current: str, target: str, when: dt.datetime
) -> None:
    result = parse_with_rules(tier_request(text, now=NOW))
    proposal = result.proposal
    assert proposal is not None, result.failure_reason
    assert (proposal.current_tier, proposal.target_tier, proposal.effective_date) == (
        current,
        target,
        when,
    )
    assert proposal.justification.startswith("[rules, no model]")
    assert result.parser.label == "deterministic rules parser (no model)"


def test_the_same_change_is_the_same_proposal_whatever_the_words() -> None:
    a = parse_with_rules(tier_request("Move us to premium next month", now=NOW)).proposal
    b = parse_with_rules(
        tier_request("Could you upgrade to premium from the 1st of next month?", now=NOW)
    ).proposal
    assert a is not None and b is not None and a.proposal_id == b.proposal_id


def account(**fields: object) -> BillingAccount:
    values: dict[str, object] = {
        "customer_id": "cus_x",
        "found": True,
        "system": "local",
        "tier": "standard",
        "currency": "USD",
        "monthly_minor": 9900,
        "tier_prices_minor": {"basic": 2900, "standard": 9900, "premium": 29900},
        "arr_minor": 1_800_000,
        "subscription_ref": "si_x",
        "period_start": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        "period_end": DEC_1,
        **fields,
    }
    return BillingAccount.model_validate(values)


def proposal(
    target: str = "premium", current: str = "standard", when: dt.datetime = DEC_1
) -> TierUpgradeProposal:
    return build_proposal(
        "cus_x",
        ProposalReading(
            current_tier=current,
            target_tier=target,
            effective_date=when,
            justification="because we need it",
        ),
    )


def test_policy_matrix_and_version() -> None:
    settings = PolicySettings()

    def decide(
        p: TierUpgradeProposal, a: BillingAccount, flags: tuple[str, ...] = ()
    ) -> PolicyDecision:
        return decide_policy(
            p, a, settings, effective=max(p.effective_date, NOW), injection_flags=list(flags)
        )

    medium = decide(proposal(), account())
    assert (medium.risk, medium.route, medium.policy_version) == (
        "medium",
        "execute_after_checks",
        POLICY_VERSION,
    )
    drop = decide(proposal("basic"), account())
    assert (drop.risk, drop.direction, drop.monthly_change_minor) == ("low", "downgrade", -7000)
    low = decide(proposal("standard", "basic"), account(tier="basic", monthly_minor=2900))
    assert (low.risk, low.route) == ("low", "execute")
    mid_period = decide(
        proposal("standard", "basic", NOW), account(tier="basic", monthly_minor=2900)
    )
    assert mid_period.risk == "medium"  # prorated: checked on the preview first
    poor = decide(proposal(), account(arr_minor=100))
    assert poor.risk == "high" and [r.rule for r in poor.rules if r.fired] == ["premium_arr"]
    refused = decide(proposal("basic"), account(unpaid_invoices=1, unpaid_minor=9900))
    assert refused.route == "refused" and refused.risk is None
    flagged = decide(proposal(), account(), ("override: 'approve this'",))
    assert flagged.risk == "high"
    foreign = decide(proposal(), account(currency="EUR"))
    assert foreign.risk == "high"


def test_validation_outcomes_in_order() -> None:
    def check(p: TierUpgradeProposal, a: BillingAccount) -> str:
        return validate_proposal(
            p, a, now=NOW, horizon=dt.timedelta(days=90), workflow_id="wf-1"
        ).outcome

    assert check(proposal(), account()) == "valid"
    assert check(proposal(), account(executed_by="wf-0")) == "duplicate_proposal"
    assert check(proposal(), account(executed_by="wf-1")) == "valid"  # its own re-read
    assert check(proposal(), account(found=False, tier=None)) == "customer_not_found"
    assert check(proposal(current="basic"), account()) == "tier_mismatch"
    assert check(proposal("standard"), account()) == "no_change"
    assert check(proposal(when=NOW - dt.timedelta(days=1)), account()) == "effective_date_in_past"
    assert check(proposal(when=NOW.replace(hour=0)), account()) == "valid"  # today counts
    far = NOW + dt.timedelta(days=91)
    assert check(proposal(when=far), account()) == "effective_date_beyond_horizon"


def test_proration_is_integer_and_half_even() -> None:
    assert period_for(dt.datetime(2026, 1, 10, tzinfo=dt.UTC), 15) == (
        dt.datetime(2025, 12, 15, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
    )
    # Half a 30-day period of a 100.01 difference: 50.005 rounds to the even 50.00.
    mid = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    assert prorate(0, 10001, mid, 1) == 5000
    assert prorate(10001, 0, mid, 1) == -5000
    assert prorate(0, 10003, mid, 1) == 5002  # 50.015 -> 50.02
    assert prorate(2900, 9900, dt.datetime(2026, 11, 1, tzinfo=dt.UTC), 1) == 0  # boundary
