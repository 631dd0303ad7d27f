"""The tier-change policy: versioned rules in code, the risk tier and the route.

Every decision records POLICY_VERSION. Changing a rule or the matrix means a new version
string (and, for running workflows, a `workflow.patched` guard where they call it).

Rules (thresholds from [proposal.policy]):
  downgrade_unpaid_invoices  a downgrade while invoices are unpaid        -> refused
  premium_arr                premium below the ARR threshold               -> approval
  monthly_change_threshold   |new - old monthly amount| above a threshold  -> approval
  request_instructions       the request holds instructions to the system   -> approval
  billing_currency           billed in a currency the thresholds are not in -> approval

Risk matrix: refused -> no risk tier (rejected); any approval rule -> high (a person
decides, seeing the dry run); a change within the low-risk amount that starts at the next
period (no proration) -> low (execute); anything else -> medium (execute after the
automated checks on the billing preview; a failed check makes it high).
"""

from __future__ import annotations

import datetime as dt

from schemas.proposal.billing import BillingAccount, DryRun
from schemas.proposal.decisions import (
    CheckResult,
    ChecksDecision,
    PolicyDecision,
    RiskTier,
    Route,
    RuleResult,
)
from schemas.proposal.events import TIERS
from schemas.proposal.proposal import TierUpgradeProposal
from vouchflow.proposal.settings import PolicySettings

POLICY_VERSION = "tier-change-policy/1"
ROUTES: dict[RiskTier, Route] = {
    "low": "execute",
    "medium": "execute_after_checks",
    "high": "approval",
}


def _money(minor: int, currency: str) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{currency} {abs(minor) // 100:,}.{abs(minor) % 100:02d}"


def at_period_boundary(effective: dt.datetime, account: BillingAccount) -> bool:
    """The change starts exactly when a billing period starts (no proration): periods
    are monthly, so a boundary is the current period's end or the same day and time of a
    later month."""
    end = account.period_end
    if end is None or effective < end:
        return False
    return effective.day == end.day and effective.timetz() == end.timetz()


def decide_policy(
    proposal: TierUpgradeProposal,
    account: BillingAccount,
    settings: PolicySettings,
    *,
    effective: dt.datetime,
    injection_flags: list[str],
) -> PolicyDecision:
    assert account.tier is not None, "validated first"
    currency = account.currency
    old = account.monthly_minor
    new = account.tier_prices_minor.get(proposal.target_tier, 0)
    change = new - old
    down = TIERS.index(proposal.target_tier) < TIERS.index(proposal.current_tier)
    foreign = currency != settings.currency
    rules = [
        RuleResult(
            rule="downgrade_unpaid_invoices",
            fired=down and account.unpaid_invoices > 0,
            effect="refuse",
            detail=(
                f"{account.unpaid_invoices} unpaid invoice(s),"
                f" {_money(account.unpaid_minor, currency)} outstanding"
                if down
                else "not a downgrade"
            ),
        ),
        RuleResult(
            rule="premium_arr",
            fired=proposal.target_tier == "premium"
            and (foreign or account.arr_minor < settings.premium_min_arr_minor),
            effect="approval",
            detail=(
                f"ARR {_money(account.arr_minor, currency)}; premium without approval needs"
                f" {_money(settings.premium_min_arr_minor, settings.currency)}"
                if proposal.target_tier == "premium"
                else "not premium"
            ),
        ),
        RuleResult(
            rule="monthly_change_threshold",
            fired=foreign or abs(change) > settings.approval_above_monthly_change_minor,
            effect="approval",
            detail=(
                f"monthly amount {_money(old, currency)} -> {_money(new, currency)};"
                f" approval above a change of"
                f" {_money(settings.approval_above_monthly_change_minor, settings.currency)}"
            ),
        ),
        RuleResult(
            rule="request_instructions",
            fired=bool(injection_flags),
            effect="approval",
            detail=(
                "; ".join(injection_flags)[:300]
                if injection_flags
                else "no instructions to the system in the request"
            ),
        ),
        RuleResult(
            rule="billing_currency",
            fired=foreign,
            effect="approval",
            detail=f"billed in {currency}; thresholds are in {settings.currency}",
        ),
    ]
    fired = [r for r in rules if r.fired]
    risk: RiskTier | None
    if any(r.effect == "refuse" for r in fired):
        risk, route = None, "refused"
        reasons = [f"{r.rule}: {r.detail}" for r in fired if r.effect == "refuse"]
    elif fired:
        risk = "high"
        route = ROUTES[risk]
        reasons = [f"{r.rule}: {r.detail}" for r in fired]
    elif abs(change) <= settings.low_risk_max_monthly_change_minor and at_period_boundary(
        effective, account
    ):
        risk = "low"
        route = ROUTES[risk]
        reasons = ["a small change that starts with the next billing period (no proration)"]
    else:
        risk = "medium"
        route = ROUTES[risk]
        reasons = ["within the thresholds: executed after automated checks on the preview"]
    return PolicyDecision(
        policy_version=POLICY_VERSION,
        direction="downgrade" if down else "upgrade",
        monthly_change_minor=change,
        currency=currency,
        rules=rules,
        risk=risk,
        route=route,
        reasons=reasons,
    )


def check_preview(
    dry_run: DryRun,
    proposal: TierUpgradeProposal,
    account: BillingAccount,
    settings: PolicySettings,
    *,
    effective: dt.datetime,
) -> ChecksDecision:
    """Automated checks of a medium-risk change: the billing system's own preview must
    show what the price list and the request say, within the invoice cap."""
    expected_new = account.tier_prices_minor.get(proposal.target_tier)
    bound = abs(dry_run.new_price_minor - dry_run.old_price_minor)
    checks = [
        CheckResult(
            check="preview_currency",
            passed=dry_run.currency == account.currency,
            detail=f"preview in {dry_run.currency}, account in {account.currency}",
        ),
        CheckResult(
            check="preview_old_price",
            passed=dry_run.old_price_minor == account.monthly_minor,
            detail=f"preview {dry_run.old_price_minor}, account {account.monthly_minor}",
        ),
        CheckResult(
            check="preview_new_price",
            passed=dry_run.new_price_minor == expected_new,
            detail=f"preview {dry_run.new_price_minor}, price list {expected_new}",
        ),
        CheckResult(
            check="proration_bounded",
            # A proration is a share of one period's difference, never more.
            passed=abs(dry_run.proration_minor) <= bound,
            detail=f"proration {dry_run.proration_minor}, at most {bound} in absolute value",
        ),
        CheckResult(
            check="proration_date",
            passed=dry_run.proration_date == effective,
            detail=f"previewed for {dry_run.proration_date.isoformat()}",
        ),
        CheckResult(
            check="next_invoice_cap",
            passed=0 <= dry_run.next_invoice_total_minor <= settings.max_next_invoice_minor,
            detail=(
                f"next invoice {_money(dry_run.next_invoice_total_minor, dry_run.currency)};"
                f" cap {_money(settings.max_next_invoice_minor, settings.currency)}"
            ),
        ),
    ]
    return ChecksDecision(
        policy_version=POLICY_VERSION, passed=all(c.passed for c in checks), checks=checks
    )
