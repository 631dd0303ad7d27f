"""What the invoice workflow's steps share (beyond workflows.common.steps): its settings
snapshot, what it waits for, how it names itself in notices, continue-as-new for its long
waits, and the steps each step class calls on another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.documents import DocumentText
    from schemas.common.effects import NotificationKind, NotificationReceipt
    from schemas.common.rollout import RerunRequest
    from schemas.invoice.assessment import Assessment
    from schemas.invoice.effects import DuplicateMatch
    from schemas.invoice.extraction import ExtractionResult
    from schemas.invoice.invoice import Invoice
    from schemas.invoice.workflow import (
        InvoiceResume,
        InvoiceState,
        InvoiceStatus,
        InvoiceWorkflowInput,
        ResumePhase,
    )
    from vouchflow.settings.config import Settings
    from workflows.common.decision_intake import one_line
    from workflows.common.limits import (
        DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
        continue_as_new,
        history_is_long,
    )
    from workflows.common.steps import WorkflowSteps
    from workflows.invoice import views


@dataclass
class Requested:
    """A verified cancel_email or revert request, waiting to be carried out."""

    actor: str
    reason: str
    proof: str


class InvoiceSteps(WorkflowSteps[InvoiceState, Settings, InvoiceStatus]):
    """Attributes and helpers every step mixin of InvoiceWorkflow relies on."""

    _views = views
    # An ending's notice is a new message unless the step says to update the request.
    _endings_update = False
    _cancel_email: Requested | None
    _revert: Requested | None

    # Steps defined by the other step classes (see workflow.py's InvoiceWorkflow bases).
    async def _post_draft(self) -> bool:
        raise NotImplementedError

    async def _assess(
        self,
        extraction: ExtractionResult,
        corrections: dict[str, Any] | None,
        *,
        staged: bool = False,
    ) -> Assessment:
        raise NotImplementedError

    async def _find_duplicates(self, invoice: Invoice) -> list[DuplicateMatch]:
        raise NotImplementedError

    async def _check_template(
        self, document: DocumentText, extraction: ExtractionResult
    ) -> ExtractionResult:
        raise NotImplementedError

    async def _learn_template(self) -> None:
        raise NotImplementedError

    # ---- how an invoice presents itself ------------------------------------------------

    def _publish(self) -> None:
        # What it waits for follows its status (the Web UI's details, `status`).
        self._state.waiting_for = (
            views.waiting_text(self._state, self._policy_snapshot)
            if self._state.status in ("awaiting_approval", "drafted")
            else ""
        )
        super()._publish()

    def _web_url(self) -> str | None:
        return views.web_url(self._state, self._policy_snapshot)

    def _remember_message(
        self, kind: NotificationKind, receipt: NotificationReceipt | None
    ) -> None:
        """Later notices update the approval request, the message a person decides in."""
        if kind == "approval_request" and receipt is not None:
            self._state.notification_ref = receipt.ref

    def _needs_attention_titles(self) -> tuple[str, str]:
        return "Needs attention: parked for an operator", "Needs attention"

    def _rerun_input(self, rerun: RerunRequest) -> InvoiceWorkflowInput:
        # The submitter's token is not carried over: a re-run reads who was proven to
        # have submitted from what the earlier runs recorded.
        event = self._state.event.model_copy(update={"submitter_token": None})
        return InvoiceWorkflowInput(event=event, rerun=rerun)

    def _unexpected(self, err: Exception) -> str:
        return f"{type(err).__name__}: {one_line(str(err))}"

    # ---- long waits: continue as new well before Temporal's history limits -------------

    def _history_is_long(self) -> bool:
        limit = (
            self._policy.review.continue_as_new_after_events
            if self._policy_snapshot
            else DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS
        )
        return history_is_long(limit)

    async def _continue_as_new(self, phase: ResumePhase) -> None:
        """Carry the state into a fresh run, resuming in `phase`."""

        def resume() -> InvoiceWorkflowInput:
            carried = InvoiceResume(
                phase=phase,
                state=self._state,
                settings=self._policy,
                review_started_at=self._waiting.started,
                timers_fired=self._waiting.fired,
                notify_count=self._notify_count,
                cancel_email_by=self._cancel_email.actor if self._cancel_email else None,
            )
            return InvoiceWorkflowInput(event=self._state.event, resume=carried)

        await continue_as_new(
            self._desk, self._trail, phase=phase, run=self._state.runs, next_input=resume
        )
