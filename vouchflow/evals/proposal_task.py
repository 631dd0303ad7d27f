"""One tier-change case through the same code the workflow runs.

The request becomes the event the intake would make (`proposal.intake.request_event`,
stamped with the case's arrival), is parsed as the `parse_tier_change` activity parses it
(the embedded rules parser, or a model with the spec's prompt version through the shared
structured-output call), then validated and decided by the real rules
(`proposal.validation`, `proposal.policy`) against the customer's account in the local
billing store, seeded with the bundled sample customers. So a case checks what would
happen to the request (no proposal, refused, to an approver, executed), not only the
reading. The store lives in memory for one suite run: nothing is ever executed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schemas.proposal.events import TierChangeRequestedV1, proposal_workflow_id
from schemas.proposal.proposal import ProposalResult
from vouchflow.evals.proposal_models import ProposalInput, ProposalOutput
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.llm.config import llm_settings
from vouchflow.prompts.registry import load_spec
from vouchflow.proposal.billing_system import BillingSystem, LocalBilling
from vouchflow.proposal.intake import request_event
from vouchflow.proposal.parser_rules import parse_with_rules
from vouchflow.proposal.policy import decide_policy
from vouchflow.proposal.settings import ProposalSettings
from vouchflow.proposal.validation import validate_proposal
from vouchflow.runtime.errors import user_message
from vouchflow.settings import Settings

SPEC_NAME = "tier_change_proposal"


def event_of(case: ProposalInput) -> TierChangeRequestedV1:
    """The event the intake makes of this request: its id derives from the request, so
    the model sees the same prompt for the same case on every run."""
    return request_event(
        customer_id=case.customer_id,
        tier=case.stated_tier,
        text=case.text,
        source=case.source,
        now=case.received_at,
    )


def sample_billing() -> BillingSystem:
    """The local billing system over an in-memory store seeded with the sample customers."""
    from vouchflow.stores.billing_sqlite import SqliteBillingStore

    return LocalBilling(SqliteBillingStore(Path(":memory:")))


async def parse_case(
    event: TierChangeRequestedV1,
    *,
    provider: str,
    prompt_version: str,
    settings: Settings,
    proposal: ProposalSettings,
    env: Mapping[str, str],
) -> ProposalResult:
    """What the `parse_tier_change` activity returns for this provider (one link of the
    parser chain); a transport failure raises ExtractionError, as there."""
    kind, _ = split_provider(provider)
    if kind == "rules":
        return parse_with_rules(event)
    from vouchflow.proposal.parser_model import parse_with_model

    return await parse_with_model(
        event=event,
        provider=provider,
        spec=load_spec(SPEC_NAME, prompt_version),
        settings=proposal.parser,
        llm=llm_settings(settings),
        env=env,
        # A run's first parse has the whole budget (the workflow subtracts what it used).
        token_budget_remaining=proposal.parser.token_budget_per_workflow,
    )


def _no_proposal(result: ProposalResult) -> ProposalOutput:
    # The rules parser's "no tier named" is a reading (nothing was asked); a model with no
    # valid answer failed closed. Either way the workflow hands the request to a person.
    return ProposalOutput(
        valid=result.parser.kind == "rules",
        proposed=False,
        outcome="no_proposal",
        outcome_reason=result.failure_reason or "no proposal",
        injection_flags=result.injection_flags,
        parser=result.parser.label,
        failure=None if result.parser.kind == "rules" else result.failure_reason,
    )


def decide_case(
    event: TierChangeRequestedV1,
    result: ProposalResult,
    *,
    proposal: ProposalSettings,
    billing: BillingSystem,
) -> ProposalOutput:
    """Validation and policy as the workflow's intake runs them, at the request's arrival."""
    found = result.proposal
    if found is None:
        return _no_proposal(result)
    now = event.created_at
    account = billing.account(found.customer_id, str(found.proposal_id), now)
    common: dict[str, Any] = {
        "valid": True,
        "proposed": True,
        "customer_id": found.customer_id,
        "current_tier": found.current_tier,
        "target_tier": found.target_tier,
        # The workflow starts a change dated before now at once.
        "effective_at": max(found.effective_date, now),
        "record_tier": account.tier,
        "injection_flags": result.injection_flags,
        "parser": result.parser.label,
    }
    validation = validate_proposal(
        found,
        account,
        now=now,
        horizon=proposal.validation.horizon,
        workflow_id=proposal_workflow_id(event.event_id),
    )
    if not validation.valid:
        return ProposalOutput(
            **common,
            outcome="rejected",
            outcome_reason=f"{validation.outcome}: {validation.reason}",
        )
    policy = decide_policy(
        found,
        account,
        proposal.policy,
        effective=common["effective_at"],
        injection_flags=result.injection_flags,
    )
    return ProposalOutput(
        **common,
        outcome="refused" if policy.route == "refused" else policy.route,
        outcome_reason="; ".join(policy.reasons)[:300],
    )


async def run_proposal_case(
    case: ProposalInput,
    *,
    provider: str,
    prompt_version: str,
    settings: Settings,
    proposal: ProposalSettings,
    billing: BillingSystem,
    env: Mapping[str, str],
) -> ProposalOutput:
    event = event_of(case)
    try:
        result = await parse_case(
            event,
            provider=provider,
            prompt_version=prompt_version,
            settings=settings,
            proposal=proposal,
            env=env,
        )
    except ExtractionError as err:
        # The provider could not be reached or refused: the workflow tries the next parser
        # of its chain, then a person; the suite counts it as no valid answer.
        message = user_message(err)
        return ProposalOutput(
            valid=False,
            proposed=False,
            outcome="no_proposal",
            outcome_reason=message,
            failure=message,
        )
    return decide_case(event, result, proposal=proposal, billing=billing)


def strict_answer(result: ProposalResult, event: TierChangeRequestedV1) -> dict[str, Any]:
    """The rules reading in the strict output contract a model fills (what the local fake
    answers when cassettes are recorded against it). The contract has no "no change"
    answer, so a request naming no tier is answered as staying on the stated tier."""
    found = result.proposal
    if found is None:
        return {
            "current_tier": event.customer.tier,
            "target_tier": event.customer.tier,
            "effective_date": event.created_at.isoformat(),
            "justification": "The request asks for no tier change.",
            "metadata": [{"key": "reading", "value": "no tier named"}],
        }
    return {
        "current_tier": found.current_tier,
        "target_tier": found.target_tier,
        "effective_date": found.effective_date.isoformat(),
        "justification": found.justification,
        "metadata": (
            [{"key": k, "value": v} for k, v in found.metadata.items()] if found.metadata else None
        ),
    }
