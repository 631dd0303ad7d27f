"""Effects, each audited before (intent) and after (outcome) and idempotent by a key from
the workflow id: the decision in the triage store (and its queue), the escalation issue
(Jira or the local table; searched before created), the notification."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.triage.activities import (
        DecisionStep,
        EscalationInput,
        EscalationReceipt,
        StoredDecision,
        StoreDecisionInput,
    )
    from vouchflow.stores.redact import clean_text
    from workflows.common.failures import failure_message
    from workflows.triage import views
    from workflows.triage.options import ESCALATE, STORE
    from workflows.triage.steps import TriageSteps


class EffectSteps(TriageSteps):
    async def _store_decision(self, step: DecisionStep) -> bool:
        """The ticket in its queue. False = it could not be stored (the run has ended)."""
        route, result = self._state.route, self._state.classification
        assert route is not None and result is not None
        key = f"{self._state.workflow_id}:decision:{step}{self._state.effect_suffix}"
        await self._trail.intent(
            "store_decision", {"idempotency_key": key, "step": step, "queue": route.queue}
        )
        try:
            stored = await workflow.execute_activity(
                "store_triage_decision",
                StoreDecisionInput(
                    workflow_id=self._state.workflow_id,
                    ticket_id=self._state.event.ticket.id,
                    customer_id=self._state.event.customer.id,
                    step=step,
                    route=route,
                    classification=self._state.final or result.classification,
                    classifier=result.classifier.label,
                    reviewed_by=self._state.reviewed_by,
                    idempotency_key=key,
                ),
                result_type=StoredDecision,
                **STORE,
            )
        except ActivityError as err:
            reason = failure_message(err)
            await self._trail.outcome("store_decision", "failed", reason)
            reason = f"the triage decision could not be stored: {reason}"
            if await self._park_failed(err, step="store_decision", reason=reason, options=STORE):
                # Resumed: the same step, the same idempotency key.
                return await self._store_decision(step)
            return False
        await self._trail.outcome(
            "store_decision",
            "done",
            f"in queue {stored.queue}" + ("" if stored.created else " (already stored)"),
            ref=stored.decision_id,
        )
        return True

    async def _escalate(self) -> bool:
        route = self._state.route
        assert route is not None
        shown = self._state.final or (
            self._state.classification.classification if self._state.classification else None
        )
        assert shown is not None
        policy = self._policy
        ticket = self._state.event.ticket
        request = EscalationInput(
            workflow_id=self._state.workflow_id,
            event_id=self._state.event.event_id,
            ticket_id=ticket.id,
            customer_id=self._state.event.customer.id,
            # The subject is the customer's text: one clean line, bounded (Jira's limit).
            summary=clean_text(f"[{shown.urgency}] {shown.category}: {ticket.subject}", 255),
            description=views.escalation_description(self._state),
            category=shown.category,
            urgency=shown.urgency,
            destination=policy.escalation,
            queue=route.queue,
            jira=policy.jira,
        )
        await self._trail.intent(
            "create_escalation_issue",
            {"destination": policy.escalation, "event_id": self._state.event.event_id},
        )
        try:
            receipt = await workflow.execute_activity(
                "create_escalation_issue", request, result_type=EscalationReceipt, **ESCALATE
            )
        except ActivityError as err:
            reason = failure_message(err)
            await self._trail.outcome("create_escalation_issue", "failed", reason)
            reason = f"the escalation issue could not be created: {reason}"
            if await self._park_failed(
                err, step="create_escalation_issue", reason=reason, options=ESCALATE
            ):
                # Resumed: the issue is searched for by its label before it is created,
                # so an issue a lost attempt made is found, never created twice.
                return await self._escalate()
            return False
        self._state.escalation_ref = f"{receipt.destination} {receipt.issue_key}" + (
            f" {receipt.url}" if receipt.url else ""
        )
        await self._trail.outcome(
            "create_escalation_issue",
            "done",
            ("created " if receipt.created else "found existing ") + receipt.issue_key,
            ref=receipt.issue_key,
            extra={"issue_id": receipt.issue_id, "url": receipt.url},
        )
        return True

    async def _deliver(self) -> None:
        """After the decision is stored: escalate if routed there, then tell people."""
        route = self._state.route
        assert route is not None
        if route.route == "escalation" and not await self._escalate():
            return
        ticket = self._state.event.ticket.id
        await self._end(
            "routed",
            f"{route.queue}: {'; '.join(route.reasons)}",
            audit=(
                "ticket.routed",
                {
                    "route": route.model_dump(mode="json"),
                    "escalation": self._state.escalation_ref,
                    "reviewed_by": self._state.reviewed_by,
                },
            ),
            notice=(
                "escalation" if route.route == "escalation" else "decision",
                f"Ticket {ticket} routed to {route.queue}",
            ),
        )
