"""Tier-change activities: thin adapters from Temporal to vouchflow/proposal.

Each takes one input model carrying only the settings section it needs; billing and
model errors become Temporal failures with the retry decision (activities/common/errors.py).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from activities.common.model_io import store_model_io
from activities.common.prompts import resolve_prompt_label
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
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.proposal.billing_system import BillingSystem, LocalBilling
from vouchflow.proposal.parser_rules import parse_with_rules
from vouchflow.proposal.settings import (
    BILLING_URL_ENV,
    STRIPE_KEY_ENV,
    BillingSettings,
    ProposalSettings,
    load_proposal_settings,
)
from vouchflow.runtime.errors import user_message
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
            try:
                proposal = await asyncio.to_thread(load_proposal_settings, env=self._env)
            except (ValidationError, ValueError, OSError) as err:
                raise ApplicationError(
                    f"the [proposal] configuration cannot be read: {user_message(err)}",
                    type="ConfigError",
                    non_retryable=True,
                ) from None
        return ProposalPolicy(
            parser=proposal.parser,
            validation=proposal.validation,
            policy=proposal.policy,
            approval=proposal.approval,
            billing=proposal.billing,
        )

    @activity.defn(name="resolve_proposal_prompt")
    def resolve_proposal_prompt(self, request: ResolveProposalPromptInput) -> ProposalPromptRef:
        """Label -> version once per workflow: a promote or rollback affects new requests."""
        spec = resolve_prompt_label(
            request.prompt_name, request.prompt_label, self._deps.settings.home
        )
        return ProposalPromptRef(
            name=spec.name,
            version=spec.version,
            label=request.prompt_label,
            model=spec.model,
            sha256=spec.sha256,
        )

    @activity.defn(name="parse_tier_change")
    async def parse_tier_change(self, request: ParseRequestInput) -> ProposalResult:
        kind, _ = split_provider(request.provider)
        if kind == "rules":
            return parse_with_rules(request.event)
        from vouchflow.llm.config import llm_settings
        from vouchflow.prompts.registry import load_spec
        from vouchflow.proposal.parser_model import parse_with_model

        if not request.prompt_name or not request.prompt_version:
            raise ValueError("a model parser needs the resolved prompt version")
        spec = load_spec(request.prompt_name, request.prompt_version)
        try:
            result = await parse_with_model(
                event=request.event,
                provider=request.provider,
                spec=spec,
                settings=request.settings,
                llm=llm_settings(self._deps.settings),
                env=self._env,
                token_budget_remaining=request.token_budget_remaining,
            )
        except ExtractionError as err:
            raise to_application_error(err) from err
        attempts = await asyncio.to_thread(store_model_io, result.attempts, self._deps.blobs)
        return result.model_copy(update={"attempts": attempts})

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
