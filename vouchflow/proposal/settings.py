"""The `[proposal]` section of the configuration file, as typed settings.

Read from the same file as the rest of the configuration (``$VOUCHFLOW_CONFIG``, else
the packaged ``vouchflow.toml``); an absent section means the defaults below. Only
choices and thresholds live here: the Stripe key comes from ``STRIPE_API_KEY``, the
production billing database from ``VOUCHFLOW_BILLING_URL``.

Each activity receives only the section it needs. Thresholds are money in integer minor
units of `policy.currency`; a customer billed in another currency is sent to a person.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt

from vouchflow.settings.config import Duration
from vouchflow.settings.sections import ModelStepSettings, Section, chain_problems, load_section

BILLING_URL_ENV = "VOUCHFLOW_BILLING_URL"
STRIPE_KEY_ENV = "STRIPE_API_KEY"
PARSER_ENV = "VOUCHFLOW_PROPOSAL_PARSER"


class ParserSettings(ModelStepSettings):
    prompt_name: str = "tier_change_proposal"
    max_input_chars: PositiveInt = 4_000
    token_budget_per_workflow: PositiveInt = 10_000


class ValidationSettings(Section):
    # How far ahead a change may be scheduled.
    horizon: Duration = dt.timedelta(days=90)


class PolicySettings(Section):
    """Thresholds of the versioned policy rules (vouchflow/proposal/policy.py)."""

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    # Premium without approval needs at least this annual recurring revenue.
    premium_min_arr_minor: int = Field(default=1_200_000, ge=0)
    # A change of the monthly amount above this needs a person.
    approval_above_monthly_change_minor: int = Field(default=25_000, ge=0)
    # At most this change of the monthly amount, and no proration, is low risk.
    low_risk_max_monthly_change_minor: int = Field(default=7_500, ge=0)
    # Automated checks on the billing system's preview (medium risk): the next invoice
    # may not exceed this, whatever the prices say.
    max_next_invoice_minor: int = Field(default=100_000, ge=0)


class ApprovalSettings(Section):
    # Who may approve or reject. Empty = any person whose signed token verifies.
    approvers: list[str] = Field(default_factory=list)
    reminder_after: Duration = dt.timedelta(hours=24)
    expire_after: Duration = dt.timedelta(hours=72)
    channels: list[str] = Field(default_factory=list)
    refusals_audited: int = Field(default=20, ge=1, le=1000)


class StripeSettings(Section):
    api_base: str = "https://api.stripe.com"
    # Stripe price id of each tier (the subscription item's price says the tier).
    prices: dict[str, str] = Field(
        default_factory=lambda: {
            "basic": "price_basic_monthly",
            "standard": "price_standard_monthly",
            "premium": "price_premium_monthly",
        }
    )
    proration_behavior: Literal["create_prorations", "always_invoice", "none"] = "create_prorations"
    timeout: Duration = dt.timedelta(seconds=20)


class BillingSettings(Section):
    # Where changes are applied: the local billing store, or Stripe.
    system: Literal["local", "stripe"] = "local"
    # The local billing store (and, for Stripe, the ledger of executed proposals).
    store: Literal["sqlite", "postgres"] = "sqlite"
    stripe: StripeSettings = Field(default_factory=StripeSettings)


class ProposalSettings(Section):
    parser: ParserSettings = Field(default_factory=ParserSettings)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    billing: BillingSettings = Field(default_factory=BillingSettings)


class ProposalConfigError(ValueError):
    """The proposal configuration cannot work; the message says what to set."""


def load_proposal_settings(
    path: Path | None = None, *, env: Mapping[str, str] | None = None
) -> ProposalSettings:
    return load_section(
        ProposalSettings, "proposal", path, env=env, overrides={PARSER_ENV: ("parser", "chain")}
    )


def check_proposal_config(settings: ProposalSettings, env: Mapping[str, str] = os.environ) -> None:
    """Raise ProposalConfigError unless every configured integration can be called (run
    at worker start-up, so a missing secret fails there, not on a request)."""
    problems = chain_problems(settings.parser.chain, "[proposal.parser] chain", env)
    billing = settings.billing
    if billing.system == "stripe":
        if not env.get(STRIPE_KEY_ENV):
            problems.append(f"[proposal.billing] system = 'stripe' needs {STRIPE_KEY_ENV}")
        missing = sorted({"basic", "standard", "premium"} - set(billing.stripe.prices))
        if missing:
            problems.append(f"[proposal.billing.stripe] prices needs a price id for {missing}")
    if billing.store == "postgres" and not env.get(BILLING_URL_ENV):
        problems.append(f"[proposal.billing] store = 'postgres' needs {BILLING_URL_ENV}")
    if problems:
        raise ProposalConfigError("; ".join(problems))
