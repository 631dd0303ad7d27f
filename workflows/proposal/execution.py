"""The billing system's side: the dry run (its own preview), the automated checks of a
medium-risk change, waiting for the effective date, and the change itself, once. A
preview or change the billing system keeps refusing parks in the dead letter; an
operator's resume asks again with the same request (the same idempotency key)."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.proposal.activities import BillingChangeInput
    from schemas.proposal.billing import DryRun, ExecutionReceipt, TierChange
    from schemas.proposal.proposal import TierUpgradeProposal
    from vouchflow.proposal.policy import check_preview
    from workflows.common.failures import failure_message, failure_type
    from workflows.common.trail import count
    from workflows.proposal.options import EXECUTE, PREVIEW
    from workflows.proposal.steps import ProposalSteps

EFFECT = "billing.tier_change"
# Failures a retry of the same step cannot fix: billing's record moved since validation,
# or the proposal belongs to another workflow. Only a re-run from the start (validated
# again) or a close helps.
NOT_RESUMABLE = frozenset({"TierChanged", "DuplicateProposal"})


class ExecutionSteps(ProposalSteps):
    def _change(self, proposal: TierUpgradeProposal) -> TierChange:
        account, effective = self._state.account, self._state.effective_at
        assert account is not None and effective is not None
        return TierChange(
            workflow_id=self._state.workflow_id,
            proposal_id=str(proposal.proposal_id),
            customer_id=proposal.customer_id,
            subscription_ref=account.subscription_ref,
            from_tier=proposal.current_tier,
            to_tier=proposal.target_tier,
            proration_date=effective,
            # From the workflow id: every attempt, and every retry of the activity, is
            # the same request to the billing system.
            idempotency_key=f"{self._state.workflow_id}:tier-change",
        )

    async def _preview(self, proposal: TierUpgradeProposal) -> bool:
        """The dry run from the billing system; False when the run ended (no preview)."""
        self._set_status("previewing", "asking the billing system for a preview")
        while True:  # again only when an operator resumes a parked preview
            try:
                dry_run = await workflow.execute_activity(
                    "preview_tier_change",
                    BillingChangeInput(change=self._change(proposal), billing=self._policy.billing),
                    result_type=DryRun,
                    **PREVIEW,
                )
                break
            except ActivityError as err:
                reason = f"the billing system could not preview the change: {failure_message(err)}"
                if not await self._park_failed(
                    err,
                    step="preview_tier_change",
                    reason=reason,
                    options=PREVIEW,
                    resumable=failure_type(err) not in NOT_RESUMABLE,
                ):
                    return False
                self._set_status("previewing", "asking the billing system again (resumed)")
        self._state.dry_run = dry_run
        await self._trail.record("dry_run.previewed", dry_run.model_dump(mode="json"))
        return True

    async def _run_checks(self, proposal: TierUpgradeProposal) -> bool:
        """Medium risk: the preview must agree with the price list and the caps. True =
        passed; False = a person decides (fail closed)."""
        account, dry_run, effective = (
            self._state.account,
            self._state.dry_run,
            self._state.effective_at,
        )
        assert account is not None and dry_run is not None and effective is not None
        checks = check_preview(dry_run, proposal, account, self._policy.policy, effective=effective)
        self._state.checks = checks
        await self._trail.record("checks.completed", checks.model_dump(mode="json"))
        if checks.passed:
            return True
        failed = ", ".join(f"{c.check} ({c.detail})" for c in checks.checks if not c.passed)
        self._state.escalated = f"automated checks failed: {failed}"
        self._state.risk = "high"
        await self._trail.record(
            "risk.escalated", {"from": "medium", "to": "high", "reason": self._state.escalated}
        )
        return False

    async def _execute(self, proposal: TierUpgradeProposal) -> None:
        effective = self._state.effective_at
        assert effective is not None
        now = workflow.now()
        if effective > now:
            self._set_status("scheduled", f"the change takes effect on {effective.isoformat()}")
            await self._trail.record("change.scheduled", {"at": effective.isoformat()})
            await workflow.sleep(effective - now)
        self._set_status("executing", "applying the change in billing")
        change = self._change(proposal)
        request = BillingChangeInput(change=change, billing=self._policy.billing)
        while True:  # again only when an operator resumes a parked change
            # Audit before effect: the intent, with its idempotency key, before the call.
            await self._trail.intent(
                EFFECT,
                {
                    "idempotency_key": change.idempotency_key,
                    "change": change.model_dump(mode="json"),
                },
            )
            try:
                receipt = await workflow.execute_activity(
                    "execute_tier_change", request, result_type=ExecutionReceipt, **EXECUTE
                )
                break
            except ActivityError as err:
                message = failure_message(err)
                await self._trail.outcome(EFFECT, "failed", message)
                kind = failure_type(err)
                if kind == "DuplicateProposal":
                    await self._reject("execution", "duplicate_proposal", message)
                    return
                if kind == "TierChanged":
                    await self._reject("execution", "tier_mismatch", message)
                    return
                reason = f"the billing system did not apply the change: {message}"
                if not await self._park_failed(
                    err, step="apply_tier_change", reason=reason, options=EXECUTE
                ):
                    return
                # Resumed after the cause was fixed: the same request, so the same
                # idempotency key; billing finds a change an earlier attempt made (the
                # ledger's claim, the item's metadata), never two.
                self._set_status("executing", "applying the change in billing (resumed)")
        self._state.execution = receipt
        count("vouchflow_proposals_executed", {"route": self._state.route or "execute"})
        await self._trail.outcome(
            EFFECT,
            "done",
            receipt.detail or ("applied" if receipt.created else "already applied"),
            ref=receipt.ref,
            extra={"created": receipt.created, "proration_minor": receipt.proration_minor},
        )
        await self._end(
            "executed",
            f"{change.from_tier} -> {change.to_tier} applied in {receipt.system} billing",
            audit=("proposal.executed", receipt.model_dump(mode="json")),
            notice=(
                "decision",
                f"Tier change for {proposal.customer_id} applied:"
                f" {change.from_tier} -> {change.to_tier}",
            ),
        )
