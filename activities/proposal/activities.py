"""Tier-change activities: thin adapters from Temporal to vouchflow/proposal.

Each takes one input model carrying only the settings section it needs; billing and
model errors become Temporal failures with the retry decision (activities/common/errors.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from activities.common.model_step import answer_step, pin_prompt
from activities.common.sections import read_section
from schemas.proposal.activities import (
    BillingChangeInput,
    LoadAccountInput,
    ParseRequestInput,
    ProposalPromptRef,
    ResolveProposalPromptInput,
)
from schemas.proposal.billing import BillingAccount, DryRun, ExecutionReceipt
from schemas.proposal.policy import ProposalPolicy
from schemas.proposal.proposal import ProposalResult
from vouchflow.proposal.billing_system import BillingSystem, LocalBilling
from vouchflow.proposal.parser_rules import parse_with_rules
from vouchflow.proposal.settings import (
    BILLING_URL_ENV,
    STRIPE_KEY_ENV,
    BillingSettings,
    ProposalSettings,
    load_proposal_settings,
)
from vouchflow.stores.billing import BillingError, BillingStore
from vouchflow.stores.billing_open import open_billing_store


class ProposalActivities:
    def __init__(
        self,
        deps: ActivityDeps,
        proposal: ProposalSettings | None = None,
        *,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._deps = deps
        self._env = os.environ if env is None else env
        self._proposal = proposal
        self._stores: dict[str, BillingStore] = {}

    def store(self, backend: str) -> BillingStore:
        if backend not in self._stores:
            self._stores[backend] = open_billing_store(
                backend, self._deps.settings.home, self._env.get(BILLING_URL_ENV)
            )
        return self._stores[backend]

    def billing(self, settings: BillingSettings) -> BillingSystem:
        store = self.store(settings.store)
        if settings.system == "local":
            return LocalBilling(store)
        from vouchflow.proposal.stripe_billing import StripeBilling

        key = self._env.get(STRIPE_KEY_ENV, "")
        if not key:
            raise ApplicationError(
                f"stripe: {STRIPE_KEY_ENV} must be set", type="ConfigError", non_retryable=True
            )
        return StripeBilling(settings.stripe, api_key=key, ledger=store)

    @activity.defn(name="load_proposal_policy")
    async def load_proposal_policy(self) -> ProposalPolicy:
        """Read once per workflow; the answer is then fixed in its history."""
        proposal = self._proposal
        if proposal is None:
            proposal = await read_section(load_proposal_settings, "proposal", self._env)
        return ProposalPolicy(
            parser=proposal.parser,
            validation=proposal.validation,
            policy=proposal.policy,
            approval=proposal.approval,
            billing=proposal.billing,
        )

    @activity.defn(name="resolve_proposal_prompt")
    def resolve_proposal_prompt(self, request: ResolveProposalPromptInput) -> ProposalPromptRef:
        return pin_prompt(
            ProposalPromptRef, request.prompt_name, request.prompt_label, self._deps.settings.home
        )

    @activity.defn(name="parse_tier_change")
    async def parse_tier_change(self, request: ParseRequestInput) -> ProposalResult:
        from vouchflow.proposal.parser_model import parse_with_model

        return await answer_step(
            self._deps,
            request,
            what="parser",
            rules=lambda: parse_with_rules(request.event),
            ask=lambda spec, llm: parse_with_model(
                event=request.event,
                provider=request.provider,
                spec=spec,
                settings=request.settings,
                llm=llm,
                env=self._env,
                token_budget_remaining=request.token_budget_remaining,
            ),
        )

    def _call(self, settings: BillingSettings, call: Callable[[BillingSystem], Any]) -> Any:
        try:
            return call(self.billing(settings))
        except BillingError as err:
            raise to_application_error(err) from err

    @activity.defn(name="load_billing_account")
    def load_billing_account(self, request: LoadAccountInput) -> BillingAccount:
        account: BillingAccount = self._call(
            request.billing,
            lambda b: b.account(request.customer_id, request.proposal_id, request.at),
        )
        return account

    @activity.defn(name="preview_tier_change")
    def preview_tier_change(self, request: BillingChangeInput) -> DryRun:
        dry_run: DryRun = self._call(request.billing, lambda b: b.preview(request.change))
        return dry_run

    @activity.defn(name="execute_tier_change")
    def execute_tier_change(self, request: BillingChangeInput) -> ExecutionReceipt:
        receipt: ExecutionReceipt = self._call(request.billing, lambda b: b.execute(request.change))
        return receipt

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.load_proposal_policy,
            self.resolve_proposal_prompt,
            self.parse_tier_change,
            self.load_billing_account,
            self.preview_tier_change,
            self.execute_tier_change,
        ]
