"""The decision desk: how every workflow receives decisions from people.

A decision arrives as a signal (plain JSON, so `temporal workflow signal` works) or as the
`decide` update (the sender learns the outcome). Either way it is read leniently, its
shape checked, its proof (a signed token bound to this workflow and action) verified by
the `verify_decision` local activity, and the workflow's own gate asked whether it can take
that kind of decision now. Decisions the workflow's state machine must apply in order
(approve/reject, confirm/correct) wait in the inbox; the sender of an update waits for the
answer. Everything refused is audited — the first few individually, the rest counted — so
no flood of refusals can push the history towards Temporal's limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.decisions import (
        DecisionRecord,
        DecisionReply,
        VerifiedDecision,
        VerifyDecisionInput,
    )
    from workflows.common import decision_intake as intake
    from workflows.common.options import DECISION_PROOF, VERIFY
    from workflows.common.trail import AuditTrail, count

DEFAULT_REFUSALS_AUDITED = 20
# After the budget, one summary record per this many further refusals.
SUMMARY_EVERY = 500


class DeskState(Protocol):
    @property
    def workflow_id(self) -> str: ...
    @property
    def status(self) -> str: ...

    decisions: list[DecisionRecord]
    refused_decisions: int
    suppressed_refusals: int


@dataclass
class Proven:
    """Who made a decision and how that was shown."""

    actor: str
    channel: str
    proof: str


@dataclass
class PendingDecision:
    """A decision whose proof verified, waiting for the state machine to apply it."""

    number: int
    kind: str
    decision: Any
    actor: str
    channel: str
    proof: str


@dataclass(frozen=True)
class Decisions:
    """The decisions a workflow takes: each kind and the shape it arrives in, the kinds
    its state machine applies in order (the others act at once), and how its `decide`
    update is read."""

    kinds: dict[str, type[BaseModel]]
    queued: frozenset[str]
    read_request: intake.ReadRequest


# Applies a decision that does not wait in the inbox (e.g. cancel an email); returns the
# reply. Called only after the proof verified and the gate allowed it.
Accept = Callable[[str, Any, Proven, bool], Awaitable[DecisionReply]]
NotifyRefusal = Callable[[str, str, str], Awaitable[None]]


class DecisionDesk:
    def __init__(
        self,
        state: DeskState,
        trail: AuditTrail,
        decisions: Decisions,
        *,
        gate: Callable[[str], str | None],
        accept: Accept | None = None,
        refusals_audited: Callable[[], int] = lambda: DEFAULT_REFUSALS_AUDITED,
        notify_refusal: NotifyRefusal | None = None,
    ) -> None:
        self._state = state
        self._trail = trail
        self._kinds = decisions.kinds
        self._queued = decisions.queued
        self._read_request = decisions.read_request
        self._gate = gate
        self._accept = accept
        self._refusals_audited = refusals_audited
        self._notify_refusal = notify_refusal
        self.inbox: list[PendingDecision] = []
        self._replies: dict[int, DecisionReply] = {}
        self._received = 0
        self._suppressed_audited = 0
        # FIFO: handlers acquire it in arrival order (deterministic in workflow code).
        self._admission = asyncio.Lock()

    # ---- receiving ---------------------------------------------------------------------

    async def receive(self, kind: str, raw: Any, *, wait: bool = False) -> DecisionReply:
        """Shape, proof, then state: a decision the workflow can act on, or a refusal.

        Decisions are admitted one at a time, in the order they arrived: verifying a proof
        is a local activity, and two decisions verifying at once must not overtake each
        other (the first approve or reject to arrive is the one that counts)."""
        async with self._admission:
            admitted = await self._admit(kind, raw)
        if isinstance(admitted, DecisionReply):
            return admitted
        if isinstance(admitted, PendingDecision):
            if not wait:
                return self.reply(kind, True, admitted.actor, "queued")
            number = admitted.number
            await workflow.wait_condition(lambda: number in self._replies)
            return self._replies.pop(number)
        decision, proven = admitted
        assert self._accept is not None, f"no way to accept {kind}"
        return await self._accept(kind, decision, proven, wait)

    async def _admit(
        self, kind: str, raw: Any
    ) -> DecisionReply | PendingDecision | tuple[Any, Proven]:
        try:
            decision = intake.parse_decision(kind, raw, self._kinds)
        except ValueError as err:
            return await self.refuse(kind, "unknown", "", str(err))
        claimed = intake.claimed_name(decision)
        channel = str(getattr(decision, "channel", ""))
        if workflow.patched(DECISION_PROOF):
            verified = await self.verify(kind, str(getattr(decision, "token", "")), claimed)
            if not verified.ok:
                return await self.refuse(kind, claimed or "unknown", channel, verified.reason)
            proven = Proven(
                verified.actor, verified.channel, f"token:{verified.issuer}/{verified.token_id}"
            )
        else:
            # Workflows started before decisions carried proofs replay as they ran.
            proven = Proven(claimed or "unknown", channel, "unverified (before decision proofs)")
        gate = self._gate(kind)
        if gate:
            return await self.refuse(
                kind, proven.actor, proven.channel, gate, notify=False, proof=proven.proof
            )
        if kind not in self._queued:
            return decision, proven
        self._received += 1
        pending = PendingDecision(
            self._received, kind, decision, proven.actor, proven.channel, proven.proof
        )
        self.inbox.append(pending)
        return pending

    async def receive_update(self, raw: Any) -> DecisionReply:
        """The `decide` update, answered with the outcome. The workflow's `read_request`
        turns the update's payload into (kind, decision fields), or raises ValueError when
        it is malformed."""
        try:
            kind, fields = self._read_request(raw)
        except ValueError as err:
            given = raw.get("kind") if isinstance(raw, dict) else None
            return await self.refuse(
                given if given in self._kinds else "malformed",
                "unknown",
                "",
                f"malformed decision: {intake.one_line(str(err))}",
            )
        return await self.receive(kind, fields, wait=True)

    def validate_update(self, raw: Any) -> None:
        """For the update's validator: once refusals are only counted, obviously bad
        requests are turned away before they reach history (the sender is told)."""
        if self._state.refused_decisions < self._refusals_audited():
            return
        if not isinstance(raw, dict) or raw.get("kind") not in self._kinds:
            raise ValueError("malformed decision (too many refused decisions: not recorded)")
        kind = str(raw["kind"])
        problem = intake.precheck_token(
            str(raw.get("token", "")), workflow_id=self._state.workflow_id, action=kind
        ) or self._gate(kind)
        if problem:
            raise ValueError(f"{problem} (too many refused decisions: not recorded)")

    async def verify(self, action: str, token: str, claimed: str) -> VerifiedDecision:
        problem = intake.precheck_token(token, workflow_id=self._state.workflow_id, action=action)
        if problem:
            return VerifiedDecision(ok=False, reason=problem)
        return await workflow.execute_local_activity(
            "verify_decision",
            VerifyDecisionInput(
                token=token,
                workflow_id=self._state.workflow_id,
                action=action,
                claimed_actor=claimed,
            ),
            result_type=VerifiedDecision,
            **VERIFY,
        )

    # ---- answering ---------------------------------------------------------------------

    def reply(self, kind: str, accepted: bool, actor: str, reason: str) -> DecisionReply:
        return DecisionReply(
            kind=kind, accepted=accepted, actor=actor, reason=reason, status=self._state.status
        )

    def record_accepted(
        self,
        pending: PendingDecision,
        reason: str,
        *,
        details: list[str] | None = None,
        corrections: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> DecisionRecord:
        """An applied decision in the workflow's record (and counted); the caller audits
        it under its own name. `at`: when it was decided, if not now."""
        record = DecisionRecord(
            kind=pending.kind,
            actor=pending.actor,
            accepted=True,
            reason=reason,
            at=at or workflow.now(),
            channel=pending.channel,
            comment=getattr(pending.decision, "comment", ""),
            corrections=corrections,
            details=details or [],
            proof=pending.proof,
        )
        self._state.decisions.append(record)
        count("vouchflow_decisions", {"kind": pending.kind, "accepted": True})
        return record

    def answer(self, pending: PendingDecision, accepted: bool, reason: str) -> None:
        self._replies[pending.number] = self.reply(pending.kind, accepted, pending.actor, reason)

    async def refuse_pending(self, pending: PendingDecision, reason: str) -> None:
        self._replies[pending.number] = await self.refuse(
            pending.kind, pending.actor, pending.channel, reason, proof=pending.proof
        )

    async def drain(self, why: str) -> None:
        """Refuse whatever still waits (the decision was made, or the workflow ended)."""
        while self.inbox:
            await self.refuse_pending(self.inbox.pop(0), why)

    async def refuse(
        self,
        kind: str,
        actor: str,
        channel: str,
        reason: str,
        *,
        notify: bool = True,
        proof: str = "unverified",
    ) -> DecisionReply:
        """The first few refusals are recorded, audited and (for proven people) notified;
        after that they are only counted."""
        reason = intake.one_line(reason)
        self._state.refused_decisions += 1
        count("vouchflow_decisions", {"kind": kind, "accepted": False})
        if self._state.refused_decisions > self._refusals_audited():
            self._state.suppressed_refusals += 1
            if self._state.suppressed_refusals % SUMMARY_EVERY == 0:
                await self.audit_suppressed()
            return self.reply(kind, False, actor, reason)
        record = DecisionRecord(
            kind=kind if kind in self._kinds else "malformed",
            actor=intake.one_line(actor, 64),
            accepted=False,
            reason=reason,
            at=workflow.now(),
            channel=channel,
            proof=proof,
        )
        self._state.decisions.append(record)
        await self._trail.record("decision.refused", record.model_dump(mode="json"))
        if notify and proof != "unverified" and self._notify_refusal is not None:
            await self._notify_refusal(kind, actor, reason)
        return self.reply(kind, False, actor, reason)

    async def audit_suppressed(self) -> None:
        """One record for the refusals that were only counted (before continuing or ending)."""
        suppressed = self._state.suppressed_refusals
        if suppressed and suppressed != self._suppressed_audited:
            self._suppressed_audited = suppressed
            await self._trail.record(
                "decision.refusals_suppressed",
                {"count": suppressed, "total_refused": self._state.refused_decisions},
            )
