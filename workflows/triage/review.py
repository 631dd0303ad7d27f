"""Waiting for a person: confirm or correct the classification (signal or `decide`
update, each with a verified token), refusals, and the reminder and expiry timers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.decisions import DecisionRecord
    from schemas.triage.activities import CorrectionStored
    from schemas.triage.decisions import (
        ConfirmSignal,
        CorrectionRecord,
        CorrectSignal,
        TriageDecisionRequest,
    )
    from vouchflow.triage.rules import apply_correction, confirmed
    from workflows.common.decision_desk import PendingDecision
    from workflows.common.decision_intake import decide_reader
    from workflows.common.failures import failure_message
    from workflows.common.trail import count
    from workflows.triage.options import STORE
    from workflows.triage.steps import TriageSteps

DECISION_KINDS: dict[str, type[BaseModel]] = {"confirm": ConfirmSignal, "correct": CorrectSignal}
QUEUED = frozenset(DECISION_KINDS)


read_decide_request = decide_reader(TriageDecisionRequest.model_validate)


class ReviewSteps(TriageSteps):
    def _gate(self, kind: str) -> str | None:
        if self._review_open:
            return None
        return f"not awaiting review (status: {self._state.status})"

    async def _review(self) -> bool:
        """Wait for a person. True = confirmed or corrected (re-routed), False = ended."""
        review = self._policy.review
        assert self._state.route is not None
        why = "; ".join(self._state.route.reasons)
        self._set_status("awaiting_approval", why)
        self._review_open = True
        if self._review_started is None:
            self._review_started = workflow.now()
            await self._notify(
                "approval_request",
                f"Ticket {self._state.event.ticket.id}: confirm or correct the classification",
                channels=review.channels,
                with_buttons=True,
            )
        timers: list[tuple[timedelta, str]] = [
            (review.reminder_after, "reminder"),
            (review.expire_after, "expiry"),
        ]
        while True:
            if not self._desk.inbox and self._history_is_long():
                await self._continue_as_new()
            due = self._review_started + timers[min(self._timers_fired, 1)][0]
            remaining = max(due - workflow.now(), timedelta(0))
            await self._trail.flush()  # nothing stays pending while a person is awaited
            try:
                await workflow.wait_condition(
                    lambda: bool(self._desk.inbox) or self._history_is_long(), timeout=remaining
                )
            except TimeoutError:
                kind = timers[min(self._timers_fired, 1)][1]
                self._timers_fired += 1
                if kind == "reminder":
                    self._state.reminders_sent += 1
                    await self._trail.record(
                        "review.reminder", {"after": str(review.reminder_after)}
                    )
                    await self._notify(
                        "reminder",
                        f"Reminder: ticket {self._state.event.ticket.id} awaits review",
                        channels=review.channels,
                    )
                    continue
                self._review_open = False
                await self._end(
                    "expired",
                    f"no review within {review.expire_after}; the ticket stays in the"
                    f" {self._state.route.queue} queue",
                    audit=("review.expired", {"after": str(review.expire_after)}),
                    notice=("decision", f"Ticket {self._state.event.ticket.id}: review expired"),
                )
                await self._desk.drain("review expired")
                return False
            if not self._desk.inbox:
                continue
            if await self._decide(self._desk.inbox.pop(0)):
                self._review_open = False
                await self._desk.drain("a decision was already made")
                return True

    async def _decide(self, pending: PendingDecision) -> bool:
        """Apply one decision. False = refused (keep waiting)."""
        assert self._state.classification is not None
        original = self._state.classification.classification
        reviewers = self._policy.review.reviewers
        if reviewers and pending.actor not in reviewers:
            await self._desk.refuse_pending(pending, f"{pending.actor} is not a triage reviewer")
            return False
        decision = pending.decision
        details: list[str] = []
        if isinstance(decision, CorrectSignal):
            try:
                final = apply_correction(
                    original,
                    category=decision.category,
                    urgency=decision.urgency,
                    reason=f"corrected by {pending.actor}: {decision.reason}",
                )
            except ValueError as err:
                await self._desk.refuse_pending(pending, str(err))
                return False
            details = [
                f"{field}: {getattr(original, field)} -> {getattr(final, field)}"
                for field in ("category", "urgency")
                if getattr(original, field) != getattr(final, field)
            ]
            await self._record_correction(pending, original, final, decision.reason)
            reason = decision.reason
        else:
            final = confirmed(original, pending.actor)
            reason = "classification confirmed"
        record = DecisionRecord(
            kind=pending.kind,
            actor=pending.actor,
            accepted=True,
            reason=reason,
            at=workflow.now(),
            channel=pending.channel,
            comment=getattr(decision, "comment", ""),
            details=details,
            proof=pending.proof,
        )
        self._state.decisions.append(record)
        count("vouchflow_decisions", {"kind": pending.kind, "accepted": True})
        await self._trail.record(f"decision.{pending.kind}ed", record.model_dump(mode="json"))
        self._state.final = final
        self._state.reviewed_by = pending.actor
        route = self._route(reviewed=True)
        self._state.route = route
        # Audit before effect: the route after the review, before anything is stored.
        await self._trail.record(
            "decision.routed",
            {
                "step": "final",
                "route": route.model_dump(mode="json"),
                "classification": final.model_dump(mode="json"),
                "reviewed_by": pending.actor,
                "plan": self._plan,
            },
        )
        self._desk.answer(pending, True, f"routed to {route.queue}")
        return True

    async def _record_correction(
        self, pending: PendingDecision, original: Any, final: Any, reason: str
    ) -> None:
        info = workflow.info()
        assert self._state.classification is not None
        correction = CorrectionRecord(
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            ticket_id=self._state.event.ticket.id,
            original=original,
            corrected=final,
            reason=reason,
            reviewer=pending.actor,
            proof=pending.proof,
            channel=pending.channel,
            at=workflow.now(),
            classifier=self._state.classification.classifier.name,
            idempotency_key=f"{info.workflow_id}:correction{self._state.effect_suffix}",
            ticket=self._state.event.ticket,
            plan=self._plan,
        )
        self._state.correction = correction
        await self._trail.record("classification.corrected", correction.model_dump(mode="json"))
        await self._trail.intent("record_correction", {"key": correction.idempotency_key})
        try:
            stored = await workflow.execute_activity(
                "record_triage_correction", correction, result_type=CorrectionStored, **STORE
            )
        except ActivityError as err:
            # The correction is in the audit log and the state; the store copy is for evals.
            await self._trail.outcome("record_correction", "failed", failure_message(err))
            return
        await self._trail.outcome(
            "record_correction",
            "done",
            "stored" if stored.created else "already stored",
            ref=stored.correction_id,
        )

    # Defined by IntakeSteps (see workflow.py's TriageWorkflow bases).
    @property
    def _plan(self) -> str:
        raise NotImplementedError

    def _route(self, *, reviewed: bool) -> Any:
        raise NotImplementedError
