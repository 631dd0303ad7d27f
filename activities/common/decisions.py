"""Verify the proof carried by a decision: who made it, for which workflow and action."""

from __future__ import annotations

from temporalio import activity

from activities.common.deps import ActivityDeps
from schemas.common.decisions import VerifiedDecision, VerifyDecisionInput
from vouchflow.identity.keys import load_trusted
from vouchflow.identity.tokens import ProofRefused, verify_decision_token


class DecisionActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._home = deps.settings.home

    @activity.defn(name="verify_decision")
    def verify_decision(self, request: VerifyDecisionInput) -> VerifiedDecision:
        """Never raises for a bad proof: a refusal is an answer, not a failure to retry.
        Trusted keys are read on every call so a revoked key stops working at once."""
        try:
            actor = verify_decision_token(
                request.token,
                trusted=load_trusted(self._home),
                workflow_id=request.workflow_id,
                action=request.action,
            )
        except ProofRefused as refused:
            return VerifiedDecision(ok=False, reason=str(refused))
        claimed = request.claimed_actor.strip().casefold()
        if claimed and claimed not in ("unknown", actor.person):
            return VerifiedDecision(
                ok=False,
                reason=(
                    f"the typed name {request.claimed_actor[:64]!r} is not the token's"
                    f" person {actor.person!r}"
                ),
            )
        return VerifiedDecision(
            ok=True,
            actor=actor.person,
            channel=actor.channel,
            issuer=actor.issuer,
            token_id=actor.token_id,
        )
