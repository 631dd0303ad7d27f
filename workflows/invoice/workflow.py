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
    from workflows.common.dead_letter import DeadLetterHandlers
    from workflows.common.handlers import ApproveRejectSignals, DecisionHandlers
    from workflows.common.trail import count
    from workflows.invoice.effects import EffectSteps
    from workflows.invoice.intake import IntakeSteps
    from workflows.invoice.review import DECISIONS, ReviewSteps
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
        self._begin_run(
            resume.state.model_copy(update={"runs": resume.state.runs + 1})
            if resume is not None
            else InvoiceState(workflow_id=workflow.info().workflow_id, event=request.event),
            resume.settings if resume is not None else None,
            DECISIONS,
            refusals_audited=lambda settings: settings.review.refusals_audited,
            carried=resume,
            accept=self._accept_now,
            notify_refusal=self._notify_refusal,
        )
        self._cancel_email = None
        if resume is not None and resume.cancel_email_by is not None:
            self._cancel_email = Requested(resume.cancel_email_by, "", "carried over")
        self._revert = None

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
