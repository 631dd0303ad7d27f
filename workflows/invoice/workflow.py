"""The invoice workflow's state machine: a supplier invoice becomes a DRAFT bill, or a
clear reason why not.

    intake (read -> extract -> duplicates -> assess -> reconcile with a PO -> audit -> route)
      -> reject_input | flag                              (ended)
      -> review (approve / reject / reminders / escalation / expiry) -> post | ended
      -> post draft bill -> email after a cancellable delay -> revert window

Deterministic: no I/O, clocks or randomness here. Activities are called by name so no
integration code is imported into the workflow sandbox. Long waits continue as new,
carrying their state, and resume in the phase they were in.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.invoice.workflow import InvoiceState, InvoiceWorkflowInput, ResumePhase
    from workflows.common.dead_letter import DeadLetter, DeadLetterHandlers
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.handlers import ApproveRejectSignals, DecisionHandlers
    from workflows.common.trail import AuditTrail, count
    from workflows.common.waiting import PersonWait
    from workflows.invoice.effects import EffectSteps
    from workflows.invoice.intake import IntakeSteps
    from workflows.invoice.review import (
        DECISION_KINDS,
        QUEUED,
        ReviewSteps,
        read_decide_request,
    )
    from workflows.invoice.steps import Requested
    from workflows.invoice.templates import TemplateSteps


@workflow.defn(name="InvoiceWorkflow")
class InvoiceWorkflow(
    IntakeSteps,
    ReviewSteps,
    EffectSteps,
    TemplateSteps,
    DecisionHandlers[InvoiceState],
    ApproveRejectSignals,
    DeadLetterHandlers,
):
    @workflow.init
    def __init__(self, request: InvoiceWorkflowInput) -> None:
        resume = request.resume
        self._state = (
            resume.state.model_copy(update={"runs": resume.state.runs + 1})
            if resume is not None
            else InvoiceState(workflow_id=workflow.info().workflow_id, event=request.event)
        )
        self._policy_snapshot = resume.settings if resume is not None else None
        self._trail = AuditTrail(self._state)
        self._desk = DecisionDesk(
            self._state,
            self._trail,
            kinds=DECISION_KINDS,
            queued=QUEUED,
            read_request=read_decide_request,
            gate=self._gate,
            accept=self._accept_now,
            refusals_audited=lambda: (
                self._policy_snapshot.review.refusals_audited if self._policy_snapshot else 20
            ),
            notify_refusal=self._notify_refusal,
        )
        self._dead_letter = DeadLetter(self._trail, self._desk, status=lambda: self._state.status)
        self._cancel_email = None
        if resume is not None and resume.cancel_email_by is not None:
            self._cancel_email = Requested(resume.cancel_email_by, "", "carried over")
        self._revert = None
        self._waiting = PersonWait(
            self._desk,
            self._trail,
            started=resume.review_started_at if resume is not None else None,
            fired=resume.timers_fired if resume is not None else 0,
        )
        self._notify_count = resume.notify_count if resume is not None else 0

    @workflow.run
    async def run(self, request: InvoiceWorkflowInput) -> InvoiceState:
        await self._guarded(self._process(request))
        await self._close()
        stage = self._state.rollout.stage if self._state.rollout is not None else "full"
        count("vouchflow_invoices_finished", {"status": self._state.status, "stage": stage})
        workflow.metric_meter().create_histogram_timedelta(
            "vouchflow_invoice_duration", "received to finished", "duration"
        ).record(workflow.now() - self._state.event.received_at)
        return self._state

    async def _process(self, request: InvoiceWorkflowInput) -> None:
        phase: ResumePhase | None
        if request.resume is not None:
            phase = request.resume.phase
            await self._trail.record(
                "workflow.continued", {"phase": phase, "run": self._state.runs}
            )
        else:
            phase = await self._intake(request)
        if phase == "review":
            approved = await self._review()
            if approved:
                await self._learn_template()  # a person's approval teaches the template
            phase = "email" if approved and await self._post_draft() else None
        if phase == "email":
            await self._email_after_delay()
            phase = "revert_window"
        if phase == "revert_window":
            await self._revert_window()

    # ---- an invoice's own signals (approve, reject, decide, status: workflows.common) ---

    @workflow.signal(name="cancel_email")
    async def cancel_email(self, raw: Any) -> None:
        await self._desk.receive("cancel_email", raw)

    @workflow.signal(name="revert")
    async def revert(self, raw: Any) -> None:
        await self._desk.receive("revert", raw)
