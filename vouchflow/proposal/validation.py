"""Validation of a proposal: plain code returning a decision, never a side effect.

In order, the first failing check decides: the proposal already executed (duplicate),
the customer unknown to billing, the stated current tier not what billing records, no
change at all, then the effective date (not before today, not beyond the horizon).
"""

from __future__ import annotations

import datetime as dt

from schemas.proposal.billing import BillingAccount
from schemas.proposal.decisions import ValidationDecision
from schemas.proposal.proposal import TierUpgradeProposal


def validate_proposal(
    proposal: TierUpgradeProposal,
    account: BillingAccount,
    *,
    now: dt.datetime,
    horizon: dt.timedelta,
    workflow_id: str,
) -> ValidationDecision:
    if account.executed_by is not None and account.executed_by != workflow_id:
        return ValidationDecision(
            outcome="duplicate_proposal",
            reason=f"proposal {proposal.proposal_id} was already executed by {account.executed_by}",
        )
    if not account.found or account.tier is None:
        return ValidationDecision(
            outcome="customer_not_found",
            reason=(
                f"customer {proposal.customer_id} has no subscription in {account.system} billing"
            ),
        )
    if proposal.current_tier != account.tier:
        return ValidationDecision(
            outcome="tier_mismatch",
            reason=(
                f"the request says the customer is on {proposal.current_tier};"
                f" billing records {account.tier}"
            ),
        )
    if proposal.target_tier == proposal.current_tier:
        return ValidationDecision(
            outcome="no_change", reason=f"the customer is already on {proposal.target_tier}"
        )
    # A date-only request means that whole day (UTC): "from today" is not in the past.
    today = now.astimezone(dt.UTC).date()
    effective = proposal.effective_date.astimezone(dt.UTC)
    if effective.date() < today:
        return ValidationDecision(
            outcome="effective_date_in_past",
            reason=f"the effective date {effective.date()} is before today ({today})",
        )
    if effective > now + horizon:
        return ValidationDecision(
            outcome="effective_date_beyond_horizon",
            reason=(
                f"the effective date {effective.date()} is more than {horizon.days} days ahead"
                f" (latest {(now + horizon).date()})"
            ),
        )
    return ValidationDecision(outcome="valid", reason="all validation checks passed")
