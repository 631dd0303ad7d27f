"""Effects, each audited before and after and idempotent: the draft bill (after a last
duplicate check), the email after a cancellable delay, and the revert window."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.decisions import DecisionRecord
    from schemas.common.documents import BlobRef
    from schemas.common.effects import EmailReceipt
    from schemas.invoice.effects import (
        DraftBill,
        DraftBillRequest,
        DuplicateMatch,
        RevertOutcome,
        RevertRequest,
    )
    from workflows.common.dead_letter import Failure
    from workflows.common.failures import failure_message, failure_type
    from workflows.common.options import EMAIL
    from workflows.common.trail import count
    from workflows.invoice import views
    from workflows.invoice.options import (
        DESTINATION_READ,
        POST,
        RECHECK_DUPLICATES_BEFORE_POSTING,
    )
    from workflows.invoice.steps import InvoiceSteps


class EffectSteps(InvoiceSteps):
    async def _post_draft(self) -> bool:
        assert self._state.assessment is not None
        rerun = self._state.rerun
        if rerun is not None and rerun.context.live_bill_id:
            # Exactly once across runs: an earlier run's draft nobody reverted stands.
            bill = rerun.context.live_bill_id
            # The answer to an operator's own re-run: it ends at once (not parked).
            await self._end_needs_attention(
                f"re-run: the earlier run's draft bill {bill} is still live; no second draft"
                " is made. Compare it with this run's answer (explain) and correct or delete"
                " it in the destination",
                park=False,
            )
            return False
        if workflow.patched(RECHECK_DUPLICATES_BEFORE_POSTING):
            # A copy may have been drafted while this one waited for its approver, and
            # corrections may have changed the number: check again, just before posting.
            try:
                late = await self._find_duplicates(self._state.assessment.invoice)
            except ActivityError as err:
                reason = f"the duplicate check before posting failed: {failure_message(err)}"
                if await self._park_failed(
                    err, step="post_draft_bill", reason=reason, options=DESTINATION_READ
                ):
                    # Resumed by an operator: the whole step again, check first.
                    return await self._post_draft()
                return False
            if late:
                await self._flag_late_duplicate(late)
                return False
        self._set_status("posting", "creating the draft bill")
        event = self._state.event
        request = DraftBillRequest(
            workflow_id=self._state.workflow_id,
            idempotency_key=f"{self._state.workflow_id}:draft-bill{self._state.effect_suffix}",
            invoice=self._state.assessment.invoice,
            document=BlobRef(
                sha256=event.document_sha256,
                size_bytes=event.size_bytes,
                media_type=event.content_type,
            ),
            document_filename=event.filename,
        )
        while True:  # again only when an operator resumes a parked post
            await self._trail.intent(
                "post_draft_bill", {"idempotency_key": request.idempotency_key}
            )
            try:
                bill = await workflow.execute_activity(
                    "post_draft_bill", request, result_type=DraftBill, **POST
                )
                break
            except ActivityError as err:
                reason = failure_message(err)
                await self._trail.outcome("post_draft_bill", "failed", reason)
                if failure_type(err) == "DuplicateBill":
                    # The destination itself knows this bill: a flag, not a failure.
                    count("vouchflow_late_duplicates", {"reason": "refused_at_posting"})
                    flagged = f"duplicate refused by the destination: {reason}"
                    await self._end(
                        "flagged",
                        flagged,
                        audit=("decision.flagged", {"reason": flagged}),
                        notice=("flagged", "Invoice flagged: duplicate"),
                        update=bool(self._state.decisions),
                    )
                    return False
                reason = f"the draft bill could not be created: {reason}"
                if not await self._park_failed(
                    err, step="post_draft_bill", reason=reason, options=POST
                ):
                    return False
                # Resumed after the cause was fixed: the same request, so the same
                # idempotency key; the destination finds a bill an earlier attempt made
                # (search before create), never two.
                self._set_status("posting", "creating the draft bill (resumed)")
        self._state.draft_bill = bill
        await self._trail.outcome(
            "post_draft_bill",
            "done",
            f"{bill.destination} bill {bill.bill_id} ({bill.status})",
            ref=bill.bill_id,
            extra={"created": bill.created},
        )
        self._set_status("drafted", f"draft bill {bill.bill_id} in {bill.destination}")
        auto = not any(d.accepted for d in self._state.decisions)
        await self._notify(
            "auto_drafted" if auto else "decision",
            "Draft bill created" + (" automatically" if auto else ""),
            update=not auto,
        )
        return True

    async def _flag_late_duplicate(self, duplicates: list[DuplicateMatch]) -> None:
        self._state.duplicates = duplicates
        first = duplicates[0]
        same = "supplier and number" if first.reason == "same_supplier_and_number" else "document"
        reason = (
            f"duplicate found just before posting: bill {first.bill_id} (workflow "
            f"{first.workflow_id}) has the same {same}; no draft created"
        )
        count("vouchflow_late_duplicates", {"reason": first.reason})
        await self._end(
            "flagged",
            reason,
            audit=(
                "decision.flagged",
                {"reason": reason, "duplicates": [d.model_dump(mode="json") for d in duplicates]},
            ),
            notice=("flagged", "Invoice flagged: duplicate"),
            update=bool(self._state.decisions),
        )

    async def _email_after_delay(self) -> None:
        effects = self._policy.effects
        if self._cancel_email is not None:
            await self._cancelled_email("cancelled before it was scheduled")
            return
        if self._state.email_state != "scheduled":
            self._state.email_state = "scheduled"
            self._state.email_due_at = workflow.now() + effects.email_delay
            self._set_status("drafted", self._state.status_reason)
            await self._trail.record(
                "email.scheduled",
                {"due_at": self._state.email_due_at.isoformat(), "to": effects.email_to},
            )
        assert self._state.email_due_at is not None
        while True:
            remaining = max(self._state.email_due_at - workflow.now(), timedelta(0))
            await self._trail.flush()
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: (
                        self._cancel_email is not None
                        or self._revert is not None
                        or self._history_is_long()
                    ),
                    timeout=remaining,
                )
            if self._cancel_email is not None or self._revert is not None:
                why = (
                    "cancel_email signal" if self._cancel_email is not None else "revert requested"
                )
                await self._cancelled_email(why)
                return
            if workflow.now() >= self._state.email_due_at:
                break
            await self._continue_as_new("email")
        message = views.draft_bill_email(self._state, self._policy)
        await self._trail.intent("send_email", {"message_id": message.message_id, "to": message.to})
        try:
            receipt = await workflow.execute_activity(
                "send_email", message, result_type=EmailReceipt, **EMAIL
            )
        except ActivityError as err:
            self._state.email_state = "none"
            await self._trail.outcome("send_email", "failed", failure_message(err))
            return
        self._state.email_state = "sent"
        self._state.email_due_at = None
        await self._trail.outcome(
            "send_email", "done", f"sent via {receipt.transport}", ref=receipt.message_id
        )
        self._set_status("drafted", self._state.status_reason)

    async def _cancelled_email(self, why: str) -> None:
        self._state.email_state = "cancelled"
        self._state.email_due_at = None
        actor = self._cancel_email.actor if self._cancel_email else "system"
        self._trail.note_effect("send_email", "cancelled", why)
        await self._trail.record("email.cancelled", {"reason": why, "by": actor})
        self._set_status(self._state.status, self._state.status_reason)

    async def _revert_window(self) -> None:
        draft = self._state.draft_bill
        assert draft is not None
        if self._state.revert_window_ends_at is None:
            self._state.revert_window_ends_at = workflow.now() + self._policy.effects.revert_window
        window_ends = self._state.revert_window_ends_at
        while self._revert is None:
            remaining = window_ends - workflow.now()
            if remaining <= timedelta(0):
                self._set_status("completed", self._state.status_reason)
                return
            await self._trail.flush()
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._revert is not None or self._history_is_long(),
                    timeout=remaining,
                )
            if self._revert is None and self._history_is_long():
                await self._continue_as_new("revert_window")
        revert = self._revert
        request = RevertRequest(
            workflow_id=self._state.workflow_id,
            bill_id=draft.bill_id,
            idempotency_key=f"{self._state.workflow_id}:revert{self._state.effect_suffix}",
        )
        self._state.decisions.append(
            DecisionRecord(
                kind="revert",
                actor=revert.actor,
                accepted=True,
                reason=revert.reason,
                at=workflow.now(),
                proof=revert.proof,
            )
        )
        while True:  # again only when an operator resumes a parked revert
            await self._trail.intent(
                "revert_draft_bill", {"bill_id": draft.bill_id, "by": revert.actor}
            )
            try:
                outcome = await workflow.execute_activity(
                    "revert_draft_bill", request, result_type=RevertOutcome, **POST
                )
            except ActivityError as err:
                reason = failure_message(err)
                await self._trail.outcome("revert_draft_bill", "failed", reason)
                if await self._park_failed(
                    err, step="revert_draft_bill", reason=f"revert failed: {reason}", options=POST
                ):
                    continue
                return
            if not outcome.reverted:
                await self._trail.outcome("revert_draft_bill", "failed", outcome.reason)
                why = f"revert not possible: {outcome.reason}"
                failure = Failure(
                    kind="effect_failed", step="revert_draft_bill", reason=why, resumable=True
                )
                if await self._end_needs_attention(why, failure=failure):
                    continue
                return
            break
        await self._trail.outcome(
            "revert_draft_bill", "done", f"bill {draft.bill_id} {outcome.status}"
        )
        self._state.draft_bill = draft.model_copy(update={"status": outcome.status})
        self._set_status("reverted", f"draft {draft.bill_id} deleted by {revert.actor}")
        await self._notify("reverted", "Draft bill reverted", update=True)
