"""Intake: the policy snapshot, an operator's re-run (proven first), the proposal
(parser chain), the billing account, validation and the policy decision, each audited
before the workflow goes on."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.proposal.activities import (
        LoadAccountInput,
        ParseRequestInput,
        ProposalPromptRef,
        ResolveProposalPromptInput,
    )
    from schemas.proposal.billing import BillingAccount
    from schemas.proposal.policy import ProposalPolicy
    from schemas.proposal.proposal import ParserInfo, ProposalResult, TierUpgradeProposal
    from schemas.proposal.state import ProposalWorkflowInput
    from vouchflow.proposal.policy import decide_policy
    from vouchflow.proposal.validation import validate_proposal
    from workflows.common.failures import failure_message
    from workflows.common.options import QUICK
    from workflows.common.providers import add_usage, asks_a_model, count_usage, provider_chain
    from workflows.common.trail import count
    from workflows.proposal.options import ACCOUNT, PARSE
    from workflows.proposal.steps import ProposalSteps


def _no_parser(attempts: list[str]) -> ProposalResult:
    why = "; ".join(attempts)[:250] or "no parser configured"
    return ProposalResult(
        proposal=None,
        parser=ParserInfo(kind="none", label="no parser succeeded"),
        failure_reason=f"no parser could read the request: {why}",
    )


class IntakeSteps(ProposalSteps):
    async def _intake(self, request: ProposalWorkflowInput) -> TierUpgradeProposal | None:
        """Propose, validate and decide; the proposal when it goes on, None if it ended."""
        self._policy_snapshot = await workflow.execute_activity(
            "load_proposal_policy", result_type=ProposalPolicy, **QUICK
        )
        self._set_status("received", "reading the request")
        await self._trail.record(
            "workflow.started", {"event": self._state.event.model_dump(mode="json")}
        )
        if request.rerun is not None and not await self._start_rerun(request.rerun):
            return None
        self._set_status("proposing", "turning the request into a proposal")
        result = await self._parse()
        self._state.result = result
        await self._trail.record(
            "proposal.proposed",
            {
                "parser": result.parser.model_dump(mode="json"),
                "proposal": (result.proposal.model_dump(mode="json") if result.proposal else None),
                "injection_flags": result.injection_flags,
                "notes": result.notes,
                "usage": result.usage.model_dump(mode="json"),
                # Each model attempt, valid or not, as extraction records them (the
                # schema-failure metric counts them). A payload, not a command: replays.
                "attempts": [a.model_dump(mode="json") for a in result.attempts],
                "failure_reason": result.failure_reason,
            },
        )
        proposal = result.proposal
        if proposal is None:
            await self._end_needs_attention(
                f"the request could not be read as a tier change: {result.failure_reason}"
            )
            return None
        if not await self._validate(proposal):
            return None
        return proposal if await self._decide_policy(proposal) else None

    async def _validate(self, proposal: TierUpgradeProposal) -> bool:
        self._set_status("validating", "checking the proposal against billing")
        account = await workflow.execute_activity(
            "load_billing_account",
            LoadAccountInput(
                customer_id=proposal.customer_id,
                proposal_id=str(proposal.proposal_id),
                at=workflow.now(),
                billing=self._policy.billing,
            ),
            result_type=BillingAccount,
            **ACCOUNT,
        )
        self._state.account = account
        await self._trail.record(
            "billing.account_loaded", account.model_dump(mode="json"), defer=True
        )
        decision = validate_proposal(
            proposal,
            account,
            now=workflow.now(),
            horizon=self._policy.validation.horizon,
            workflow_id=self._state.workflow_id,
        )
        self._state.validation = decision
        await self._trail.record("proposal.validated", decision.model_dump(mode="json"))
        if not decision.valid:
            await self._reject("validation", decision.outcome, decision.reason)
            return False
        return True

    async def _decide_policy(self, proposal: TierUpgradeProposal) -> bool:
        account = self._state.account
        assert account is not None and self._state.result is not None
        effective = max(proposal.effective_date, workflow.now())
        self._state.effective_at = effective
        decision = decide_policy(
            proposal,
            account,
            self._policy.policy,
            effective=effective,
            injection_flags=self._state.result.injection_flags,
        )
        self._state.policy = decision
        self._state.risk = decision.risk
        count("vouchflow_proposals_routed", {"route": decision.route})
        # Audit before effect: the decision, its rules and their version.
        await self._trail.record(
            "policy.decided",
            {**decision.model_dump(mode="json"), "effective_at": effective.isoformat()},
        )
        if decision.route == "refused":
            refused = next(r for r in decision.rules if r.fired and r.effect == "refuse")
            await self._reject(
                "policy",
                refused.rule,
                refused.detail,
                policy_version=decision.policy_version,
            )
            return False
        return True

    # ---- the parser chain ------------------------------------------------------------

    async def _resolve_prompt(self, chain: list[str]) -> ProposalPromptRef | None:
        if not asks_a_model(chain):
            return None
        parser = self._policy.parser
        prompt = await workflow.execute_activity(
            "resolve_proposal_prompt",
            ResolveProposalPromptInput(
                prompt_name=parser.prompt_name, prompt_label=parser.prompt_label
            ),
            result_type=ProposalPromptRef,
            **QUICK,
        )
        self._state.prompt_version = f"{prompt.name}@{prompt.version}"
        await self._trail.record("prompt.resolved", prompt.model_dump(mode="json"), defer=True)
        return prompt

    async def _parse(self) -> ProposalResult:
        chain = provider_chain(self._policy.parser.chain)
        prompt = await self._resolve_prompt(chain)
        budget = self._policy.parser.token_budget_per_workflow
        for provider in chain:
            try:
                result = await workflow.execute_activity(
                    "parse_tier_change",
                    ParseRequestInput(
                        workflow_id=self._state.workflow_id,
                        event=self._state.event,
                        provider=provider,
                        prompt_name=prompt.name if prompt else None,
                        prompt_version=prompt.version if prompt else None,
                        token_budget_remaining=max(budget - self._state.tokens_used, 0),
                        settings=self._policy.parser,
                    ),
                    result_type=ProposalResult,
                    **PARSE,
                )
            except ActivityError as err:
                reason = failure_message(err)
                self._state.parser_attempts.append(f"{provider}: failed ({reason})")
                await self._trail.record(
                    "proposal.parser_failed", {"provider": provider, "reason": reason}, defer=True
                )
                continue
            add_usage(self._state, result.usage)
            count_usage(provider, result.usage)  # a metric, not a command: replays unchanged
            outcome = "no proposal" if result.proposal is None else "ok"
            self._state.parser_attempts.append(f"{provider}: {outcome}")
            # A model answer that failed validation is not retried with a weaker parser:
            # it fails closed, to a person, with the reason.
            return result
        return _no_parser(self._state.parser_attempts)
