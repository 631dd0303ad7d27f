"""What the invoice workflow's steps share: its state and settings snapshot, the audit
trail and decision desk (from workflows.common), status publishing, notifications,
continue-as-new, and the one way every run ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.documents import DocumentText
    from schemas.common.effects import Notification, NotificationKind, NotificationReceipt
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
    from workflows.common.dead_letter import DeadLetter, Failure
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.limits import DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS, history_is_long
    from workflows.common.limits import publish as publish_state
    from workflows.common.notify import send_notification
    from workflows.common.trail import AuditTrail
    from workflows.common.waiting import PersonWait
    from workflows.invoice import views


@dataclass
class Requested:
    """A verified cancel_email or revert request, waiting to be carried out."""

    actor: str
    reason: str
    proof: str


class InvoiceSteps:
    """Attributes and helpers every step mixin of InvoiceWorkflow relies on."""

    _state: InvoiceState
    _settings: Settings | None
    _trail: AuditTrail
    _desk: DecisionDesk
    _dead_letter: DeadLetter
    _cancel_email: Requested | None
    _revert: Requested | None
    _waiting: PersonWait
    _notify_count: int

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

    @property
    def _policy(self) -> Settings:
        assert self._settings is not None, "policy is loaded first"
        return self._settings

    # ---- status ------------------------------------------------------------------------

    def _set_status(self, status: InvoiceStatus, reason: str) -> None:
        self._state.status = status
        self._state.status_reason = reason
        self._state.waiting_for = (
            views.waiting_text(self._state, self._settings)
            if status in ("awaiting_approval", "drafted")
            else ""
        )
        self._publish()

    def _publish(self) -> None:
        publish_state(
            views.search_attribute_updates(self._state), views.current_details(self._state)
        )

    def _summary(self) -> list[str]:
        return views.summary_lines(self._state)

    # ---- endings -----------------------------------------------------------------------

    async def _end(
        self,
        status: InvoiceStatus,
        reason: str,
        *,
        audit: tuple[str, dict[str, Any]] | None = None,
        notice: tuple[NotificationKind, str] | None = None,
        update: bool = False,
    ) -> None:
        """The one way a run reaches its final status: status, then its audit record, then
        the people who need to know (each step optional, always in this order)."""
        self._set_status(status, reason)
        if audit is not None:
            await self._trail.record(*audit)
        if notice is not None:
            await self._notify(notice[0], notice[1], self._summary(), update=update)

    async def _end_needs_attention(
        self, reason: str, *, failure: Failure | None = None, park: bool = True
    ) -> bool:
        """Park in the dead letter for an operator (workflows.common.dead_letter), then end
        `needs_attention` unless they resumed it. True: resumed, the caller retries its
        step (same request, same idempotency key). A re-run continues as new from here.
        `park=False`: an answer to an operator's own action, which ends at once."""
        if park and self._dead_letter.enabled():
            failure = failure or Failure(
                kind="needs_attention", step=self._state.status, reason=reason
            )
            self._set_status("needs_attention", reason)
            await self._notify(
                "flagged", "Needs attention: parked for an operator", self._summary()
            )
            event = self._state.event.model_copy(update={"submitter_token": None})
            final = await self._dead_letter.settle(
                failure,
                reason,
                lambda rerun: InvoiceWorkflowInput(event=event, rerun=rerun),
                prompt_version=self._state.prompt_version,
            )
            if final is None:
                return True  # resumed
            reason = final
        await self._end(
            "needs_attention",
            reason,
            audit=("workflow.needs_attention", {"reason": reason}),
            notice=("flagged", "Needs attention"),
        )
        return False

    # ---- notifications -----------------------------------------------------------------

    async def _notify(
        self,
        kind: NotificationKind,
        title: str,
        lines: list[str],
        *,
        with_buttons: bool = False,
        update: bool = False,
        channels: list[str] | None = None,
    ) -> NotificationReceipt | None:
        """Notifications never stop the workflow: a failure is recorded and audited."""
        self._notify_count += 1
        return await send_notification(
            self._trail,
            Notification(
                workflow_id=self._state.workflow_id,
                kind=kind,
                idempotency_key=(
                    f"{self._state.workflow_id}{self._state.effect_suffix}"
                    f":notify:{self._notify_count}:{kind}"
                ),
                title=title,
                lines=lines,
                update_ref=self._state.notification_ref if update else None,
                with_buttons=with_buttons,
                channels=channels or [],
                facts=views.notification_facts(self._state),
                web_url=views.web_url(self._state, self._settings),
            ),
        )

    # ---- long waits: continue as new well before Temporal's history limits -------------

    def _history_is_long(self) -> bool:
        limit = (
            self._settings.review.continue_as_new_after_events
            if self._settings
            else DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS
        )
        return history_is_long(limit)

    async def _continue_as_new(self, phase: ResumePhase) -> None:
        """Carry the state into a fresh run; decisions in flight are answered first."""
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() or bool(self._desk.inbox)
        )
        if self._desk.inbox:
            return  # a decision arrived: the caller handles it, then asks again
        await self._desk.audit_suppressed()
        await self._trail.record("workflow.continuing", {"phase": phase, "run": self._state.runs})
        resume = InvoiceResume(
            phase=phase,
            state=self._state,
            settings=self._policy,
            review_started_at=self._waiting.started,
            timers_fired=self._waiting.fired,
            notify_count=self._notify_count,
            cancel_email_by=self._cancel_email.actor if self._cancel_email else None,
        )
        workflow.continue_as_new(InvoiceWorkflowInput(event=self._state.event, resume=resume))
