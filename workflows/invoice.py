"""The invoice workflow: a supplier invoice becomes a DRAFT bill, or a clear reason why not.

    read document -> extract fields (provider chain) -> find duplicates -> assess
    -> audit the decision (before any effect) -> route:
         reject_input | flag | review (approve / reject / reminders / escalation / expiry)
    -> post draft bill -> notify -> email after a cancellable delay
    -> revert window (a `revert` signal deletes the draft)

Deterministic: no I/O, clocks or randomness here. Activities are called by name so
no integration code is imported into the workflow sandbox.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from schemas.assessment import Assessment
    from schemas.audit import AuditEntry, AuditRecord
    from schemas.decisions import (
        ApproveSignal,
        CancelEmailSignal,
        DecisionRecord,
        RejectSignal,
        RevertSignal,
    )
    from schemas.documents import BlobRef, DocumentText
    from schemas.effects import (
        DraftBill,
        DraftBillRequest,
        DuplicateMatch,
        DuplicateQuery,
        EmailMessage,
        EmailReceipt,
        Notification,
        NotificationKind,
        NotificationReceipt,
        RevertOutcome,
        RevertRequest,
    )
    from schemas.extraction import ExtractionResult, ExtractorInfo
    from schemas.invoice import Invoice
    from schemas.workflow import (
        ApprovalCheckInput,
        ApprovalCheckResult,
        AssessInput,
        EffectRecord,
        ExtractFieldsInput,
        InvoiceState,
        InvoiceStatus,
        InvoiceWorkflowInput,
        PromptRef,
        ReadDocumentInput,
        ResolvePromptInput,
    )
    from settings.config import Settings
    from workflows import invoice_views as views
    from workflows.options import (
        AUDIT,
        AUDIT_AS_LOCAL_ACTIVITY,
        DESTINATION_READ,
        EMAIL,
        EXTRACT,
        LLM_PROVIDERS,
        NOTIFY,
        POST,
        QUICK,
        READ,
        RECHECK_DUPLICATES_BEFORE_POSTING,
    )


def _failure_message(err: BaseException) -> str:
    """The root cause's message: what a person needs to read."""
    cause: BaseException | None = err
    while isinstance(cause, ActivityError) and cause.cause is not None:
        cause = cause.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause)


@workflow.defn(name="InvoiceWorkflow")
class InvoiceWorkflow:
    @workflow.init
    def __init__(self, request: InvoiceWorkflowInput) -> None:
        self._state = InvoiceState(workflow_id=workflow.info().workflow_id, event=request.event)
        self._settings: Settings | None = None
        self._inbox: list[ApproveSignal | RejectSignal] = []
        self._cancel_email: CancelEmailSignal | None = None
        self._revert: RevertSignal | None = None
        self._review_open = False
        self._audit_count = 0
        self._notify_count = 0

    # ---- the state machine ---------------------------------------------------------------

    @workflow.run
    async def run(self, request: InvoiceWorkflowInput) -> InvoiceState:
        self._settings = await workflow.execute_activity(
            "load_policy", result_type=Settings, **QUICK
        )
        self._set_status("reading", "reading the document")
        await self._audit("workflow.started", {"event": request.event.model_dump(mode="json")})

        document = await self._read_document()
        self._state.document = document
        if not document.ok and document.bad_input_code != "ocr_not_installed":
            await self._finish_rejected_input(
                f"{document.bad_input_code}: {document.reason}", code=document.bad_input_code
            )
            return await self._finish()

        self._set_status("extracting", "extracting invoice fields")
        if document.ok:
            extraction = await self._extract(document)
        else:
            # A scan without OCR is still an invoice: a person can key it in (fail closed).
            extraction = ExtractionResult(
                invoice=Invoice(),
                extractor=ExtractorInfo(kind="rules", name="no text layer (OCR not installed)"),
                failed_closed=True,
                failure_reason=document.reason or "OCR not installed",
            )
        if extraction is None:
            await self._finish_needs_attention(
                "no extractor could read this document: "
                + "; ".join(self._state.extraction_attempts)
            )
            return await self._finish()
        self._state.extraction = extraction

        self._set_status("assessing", "validating and scoring")
        try:
            assessment = await self._assess(extraction, corrections=None)
        except ActivityError as err:
            # E.g. the destination refuses our credentials for the duplicate check:
            # without it nothing can be proven safe, so a person must look.
            await self._finish_needs_attention(
                f"the invoice could not be checked: {_failure_message(err)}"
            )
            return await self._finish()
        self._state.assessment = assessment
        self._publish()
        # Audit before effect: the decision and why, before anything leaves the system.
        await self._audit(
            "decision.routed",
            {
                "route": assessment.decision.route,
                "reasons": assessment.decision.reasons,
                "confidence": assessment.confidence.model_dump(mode="json"),
                "findings": [f.model_dump(mode="json") for f in assessment.findings],
                "invoice": assessment.invoice.model_dump(mode="json"),
                "extractor": extraction.extractor.model_dump(mode="json"),
                "duplicates": [d.model_dump(mode="json") for d in self._state.duplicates],
            },
        )

        route = assessment.decision.route
        self._count("vouchflow_invoices_routed", {"route": route})
        if route == "reject_input":
            await self._finish_rejected_input("; ".join(assessment.decision.reasons), code=None)
            return await self._finish()
        if route == "flag":
            self._set_status("flagged", "; ".join(assessment.decision.reasons))
            await self._notify("flagged", "Invoice flagged: no draft created", self._summary())
            return await self._finish()
        if route == "review" and not await self._review():
            return await self._finish()

        if not await self._post_draft():
            return await self._finish()
        await self._email_after_delay()
        await self._revert_window()
        return await self._finish()

    # ---- signals and queries ---------------------------------------------------------------

    @workflow.signal(name="approve")
    async def approve(self, signal: ApproveSignal) -> None:
        if not self._review_open:
            await self._refuse(
                "approve", signal.reviewer, signal.channel, self._not_reviewable(), notify=False
            )
            return
        self._inbox.append(signal)

    @workflow.signal(name="reject")
    async def reject(self, signal: RejectSignal) -> None:
        if not self._review_open:
            await self._refuse(
                "reject", signal.reviewer, signal.channel, self._not_reviewable(), notify=False
            )
            return
        self._inbox.append(signal)

    @workflow.signal(name="cancel_email")
    def cancel_email(self, signal: CancelEmailSignal) -> None:
        if self._cancel_email is None:
            self._cancel_email = signal

    @workflow.signal(name="revert")
    async def revert(self, signal: RevertSignal) -> None:
        if self._state.draft_bill is None or self._state.status not in ("drafted",):
            await self._refuse(
                "revert",
                signal.requested_by,
                "",
                f"nothing to revert: status is {self._state.status}",
            )
            return
        if self._revert is None:
            self._revert = signal

    @workflow.query(name="status")
    def status(self) -> InvoiceState:
        return self._state

    # ---- steps -------------------------------------------------------------------------------

    async def _read_document(self) -> DocumentText:
        event = self._state.event
        try:
            return await workflow.execute_activity(
                "read_document",
                ReadDocumentInput(
                    document=BlobRef(
                        sha256=event.document_sha256,
                        size_bytes=event.size_bytes,
                        media_type=event.content_type,
                    ),
                    filename=event.filename,
                    settings=self._policy,
                ),
                result_type=DocumentText,
                **READ,
            )
        except ActivityError as err:
            # A reader that crashes on a document is itself a reason: fail closed, keep it.
            return DocumentText(
                ok=False, bad_input_code="corrupt_pdf", reason=_failure_message(err)
            )

    def _provider_chain(self, document: DocumentText) -> list[str]:
        chain = [p.strip() for p in self._policy.extraction.extractor.split(",") if p.strip()]
        if document.einvoice_ref is not None:
            # Structured data read exactly beats any model: 0 tokens, certainty 1.
            chain = ["einvoice", *chain]
        return chain or ["rules"]

    async def _resolve_prompt(self, chain: list[str]) -> PromptRef | None:
        if not any(p.split(":", 1)[0] in LLM_PROVIDERS for p in chain):
            return None
        prompt = await workflow.execute_activity(
            "resolve_prompt",
            ResolvePromptInput(settings=self._policy),
            result_type=PromptRef,
            **QUICK,
        )
        self._state.prompt_version = f"{prompt.name}@{prompt.version}"
        self._publish()
        await self._audit("prompt.resolved", prompt.model_dump(mode="json"))
        return prompt

    async def _extract(self, document: DocumentText) -> ExtractionResult | None:
        failures: list[str] = []
        chain = self._provider_chain(document)
        prompt = await self._resolve_prompt(chain)
        for provider in chain:
            remaining = None
            if prompt is not None:
                remaining = max(prompt.token_budget - self._state.tokens_used, 0)
            try:
                result = await workflow.execute_activity(
                    "extract_invoice_fields",
                    ExtractFieldsInput(
                        workflow_id=self._state.workflow_id,
                        document=document,
                        filename=self._state.event.filename,
                        provider=provider,
                        prompt_name=prompt.name if prompt else None,
                        prompt_version=prompt.version if prompt else None,
                        token_budget_remaining=remaining,
                        settings=self._policy,
                    ),
                    result_type=ExtractionResult,
                    **EXTRACT,
                )
            except ActivityError as err:
                reason = _failure_message(err)
                failures.append(f"{provider}: {reason}")
                self._count("vouchflow_extraction_failures", {"provider": provider})
                self._state.extraction_attempts.append(f"{provider}: failed ({reason})")
                await self._audit(
                    "extraction.provider_failed", {"provider": provider, "reason": reason}
                )
                continue
            self._state.extraction_attempts.append(f"{provider}: ok")
            self._state.tokens_used += result.usage.input_tokens + result.usage.output_tokens
            self._state.cost_micro_usd += result.usage.cost_micro_usd
            meter = workflow.metric_meter()
            tokens = result.usage.input_tokens + result.usage.output_tokens
            if tokens:
                meter.create_counter("vouchflow_llm_tokens").add(tokens, {"provider": provider})
                meter.create_counter("vouchflow_llm_cost_micro_usd").add(
                    result.usage.cost_micro_usd, {"provider": provider}
                )
            if failures:
                result.notes.append("fallback: used " + provider + " after " + "; ".join(failures))
            await self._audit(
                "extraction.completed",
                {
                    "provider": provider,
                    "extractor": result.extractor.model_dump(mode="json"),
                    "usage": result.usage.model_dump(mode="json"),
                    "attempts": [a.model_dump(mode="json") for a in result.attempts],
                    "invoice": result.invoice.model_dump(mode="json"),
                    "injection_flags": result.injection_flags,
                    "notes": result.notes,
                },
            )
            return result
        return None

    async def _assess(
        self, extraction: ExtractionResult, corrections: dict[str, Any] | None
    ) -> Assessment:
        self._state.duplicates = await self._find_duplicates(extraction.invoice)
        document = self._state.document
        return await workflow.execute_activity(
            "assess_invoice",
            AssessInput(
                extraction=extraction,
                duplicates=self._state.duplicates,
                today=workflow.now().date(),
                text_method=document.method if document else "none",
                settings=self._policy,
                corrections=corrections,
            ),
            result_type=Assessment,
            **QUICK,
        )

    async def _find_duplicates(self, invoice: Invoice) -> list[DuplicateMatch]:
        return await workflow.execute_activity(
            "find_duplicates",
            DuplicateQuery(
                workflow_id=self._state.workflow_id,
                supplier_name=invoice.supplier_name,
                invoice_number=invoice.invoice_number,
                document_sha256=self._state.event.document_sha256,
            ),
            result_type=list[DuplicateMatch],
            **DESTINATION_READ,
        )

    async def _review(self) -> bool:
        """Wait for a human. True = approved (go on to post), False = ended here."""
        review = self._policy.review
        assert self._state.assessment is not None
        why = "; ".join(self._state.assessment.decision.reasons)
        self._set_status("awaiting_approval", why)
        self._review_open = True
        receipt = await self._notify(
            "approval_request",
            "Approval needed",
            self._summary(),
            with_buttons=True,
            channels=review.review_channels,
        )
        if receipt is not None:
            self._state.notification_ref = receipt.ref
        started = workflow.now()
        timers: list[tuple[timedelta, str]] = [
            (review.reminder_after, "reminder"),
            (review.escalation_after, "escalation"),
            (review.expire_after, "expiry"),
        ]
        next_timer = 0
        while True:
            due = started + timers[next_timer][0]
            remaining = max(due - workflow.now(), timedelta(0))
            try:
                await workflow.wait_condition(lambda: bool(self._inbox), timeout=remaining)
            except TimeoutError:
                kind = timers[next_timer][1]
                next_timer += 1
                if kind == "reminder":
                    self._state.reminders_sent += 1
                    await self._audit("review.reminder", {"after": str(review.reminder_after)})
                    await self._notify(
                        "reminder",
                        "Reminder: approval still needed",
                        self._summary(),
                        channels=review.review_channels,
                    )
                elif kind == "escalation":
                    self._state.escalated = True
                    await self._audit(
                        "review.escalated",
                        {"after": str(review.escalation_after), "to": review.escalation_channels},
                    )
                    await self._notify(
                        "escalation",
                        "Escalation: approval overdue",
                        self._summary(),
                        channels=review.escalation_channels,
                    )
                else:
                    self._review_open = False
                    self._set_status(
                        "expired", f"no decision within {review.expire_after}; no draft created"
                    )
                    await self._audit("review.expired", {"after": str(review.expire_after)})
                    await self._notify(
                        "decision", "Expired without a decision", self._summary(), update=True
                    )
                    await self._drain_inbox("review expired")
                    return False
                self._set_status("awaiting_approval", why)
                continue

            signal = self._inbox.pop(0)
            outcome = await self._decide(signal)
            if outcome is None:
                continue
            self._review_open = False
            await self._drain_inbox("a decision was already made")
            return outcome

    async def _decide(self, signal: ApproveSignal | RejectSignal) -> bool | None:
        """Apply one decision. None = refused (keep waiting); True/False = approved/rejected."""
        assert self._state.assessment is not None
        now = workflow.now()
        if isinstance(signal, RejectSignal):
            check = await self._check("reject", signal.reviewer, self._state.assessment)
            if not check.allowed:
                await self._refuse("reject", signal.reviewer, signal.channel, check.reason)
                return None
            record = DecisionRecord(
                kind="reject",
                actor=signal.reviewer,
                accepted=True,
                reason=signal.reason,
                at=now,
                channel=signal.channel,
            )
            self._state.decisions.append(record)
            self._count("vouchflow_decisions", {"kind": "reject", "accepted": True})
            await self._audit("decision.rejected", record.model_dump(mode="json"))
            self._set_status("rejected", f"rejected by {signal.reviewer}: {signal.reason}")
            await self._notify("decision", "Rejected", self._summary(), update=True)
            return False

        assessment = self._state.assessment
        details: list[str] = []
        if signal.corrections:
            try:
                assessment = await self._assess_corrections(signal.corrections)
            except ActivityError as err:
                await self._refuse(
                    "approve", signal.reviewer, signal.channel, _failure_message(err)
                )
                return None
            errors = [f.message for f in assessment.findings if f.severity == "error"]
            if errors:
                await self._refuse(
                    "approve",
                    signal.reviewer,
                    signal.channel,
                    "corrections do not validate: " + "; ".join(errors),
                )
                return None
            details.append("corrections re-validated: " + ", ".join(sorted(signal.corrections)))
        check = await self._check("approve", signal.reviewer, assessment)
        if not check.allowed:
            await self._refuse("approve", signal.reviewer, signal.channel, check.reason)
            return None
        if signal.corrections:
            self._state.assessment = assessment
            self._publish()
        record = DecisionRecord(
            kind="approve",
            actor=signal.reviewer,
            accepted=True,
            reason=check.reason,
            at=now,
            channel=signal.channel,
            comment=signal.comment,
            corrections=signal.corrections,
            details=details,
        )
        self._state.decisions.append(record)
        self._count("vouchflow_decisions", {"kind": "approve", "accepted": True})
        await self._audit("decision.approved", record.model_dump(mode="json"))
        return True

    async def _assess_corrections(self, corrections: dict[str, Any]) -> Assessment:
        assert self._state.extraction is not None
        return await self._assess(self._state.extraction, corrections=corrections)

    async def _check(
        self, decision: str, reviewer: str, assessment: Assessment
    ) -> ApprovalCheckResult:
        return await workflow.execute_activity(
            "check_approval",
            ApprovalCheckInput(
                reviewer=reviewer,
                submitted_by=self._state.event.submitted_by,
                assessment=assessment,
                settings=self._policy,
                decision="approve" if decision == "approve" else "reject",
            ),
            result_type=ApprovalCheckResult,
            **QUICK,
        )

    async def _post_draft(self) -> bool:
        assert self._state.assessment is not None
        if workflow.patched(RECHECK_DUPLICATES_BEFORE_POSTING):
            # A copy may have been drafted while this one waited for its approver, and
            # corrections may have changed the number: check again, just before posting.
            try:
                late = await self._find_duplicates(self._state.assessment.invoice)
            except ActivityError as err:
                await self._finish_needs_attention(
                    f"the duplicate check before posting failed: {_failure_message(err)}"
                )
                return False
            if late:
                await self._flag_late_duplicate(late)
                return False
        self._set_status("posting", "creating the draft bill")
        event = self._state.event
        request = DraftBillRequest(
            workflow_id=self._state.workflow_id,
            idempotency_key=f"{self._state.workflow_id}:draft-bill",
            invoice=self._state.assessment.invoice,
            document=BlobRef(
                sha256=event.document_sha256,
                size_bytes=event.size_bytes,
                media_type=event.content_type,
            ),
            document_filename=event.filename,
        )
        await self._effect_intent("post_draft_bill", {"idempotency_key": request.idempotency_key})
        try:
            bill = await workflow.execute_activity(
                "post_draft_bill", request, result_type=DraftBill, **POST
            )
        except ActivityError as err:
            reason = _failure_message(err)
            await self._effect_outcome("post_draft_bill", "failed", reason)
            await self._finish_needs_attention(f"the draft bill could not be created: {reason}")
            return False
        self._state.draft_bill = bill
        await self._effect_outcome(
            "post_draft_bill",
            "done",
            f"{bill.destination} bill {bill.bill_id} ({bill.status})",
            ref=bill.bill_id,
            extra={"created": bill.created},
        )
        self._set_status("drafted", f"draft bill {bill.bill_id} in {bill.destination}")
        auto = not self._state.decisions
        await self._notify(
            "auto_drafted" if auto else "decision",
            "Draft bill created" + (" automatically" if auto else ""),
            self._summary(),
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
        self._set_status("flagged", reason)
        self._count("vouchflow_late_duplicates", {"reason": first.reason})
        await self._audit(
            "decision.flagged",
            {"reason": reason, "duplicates": [d.model_dump(mode="json") for d in duplicates]},
        )
        await self._notify(
            "flagged",
            "Invoice flagged: duplicate",
            self._summary(),
            update=bool(self._state.decisions),
        )

    async def _email_after_delay(self) -> None:
        effects = self._policy.effects
        if self._cancel_email is not None:
            await self._cancelled_email("cancelled before it was scheduled")
            return
        self._state.email_state = "scheduled"
        self._state.email_due_at = workflow.now() + effects.email_delay
        self._set_status("drafted", self._state.status_reason)
        await self._audit(
            "email.scheduled",
            {"due_at": self._state.email_due_at.isoformat(), "to": effects.email_to},
        )
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: self._cancel_email is not None or self._revert is not None,
                timeout=effects.email_delay,
            )
        if self._cancel_email is not None or self._revert is not None:
            why = "cancel_email signal" if self._cancel_email is not None else "revert requested"
            await self._cancelled_email(why)
            return
        message = self._email_message()
        await self._effect_intent(
            "send_email", {"message_id": message.message_id, "to": message.to}
        )
        try:
            receipt = await workflow.execute_activity(
                "send_email", message, result_type=EmailReceipt, **EMAIL
            )
        except ActivityError as err:
            self._state.email_state = "none"
            await self._effect_outcome("send_email", "failed", _failure_message(err))
            return
        self._state.email_state = "sent"
        self._state.email_due_at = None
        await self._effect_outcome(
            "send_email", "done", f"sent via {receipt.transport}", ref=receipt.message_id
        )
        self._set_status("drafted", self._state.status_reason)

    async def _cancelled_email(self, why: str) -> None:
        self._state.email_state = "cancelled"
        self._state.email_due_at = None
        actor = self._cancel_email.requested_by if self._cancel_email else "system"
        self._record_effect("send_email", "cancelled", why)
        await self._audit("email.cancelled", {"reason": why, "by": actor})
        self._set_status(self._state.status, self._state.status_reason)

    async def _revert_window(self) -> None:
        window = self._policy.effects.revert_window
        if self._revert is None:
            try:
                await workflow.wait_condition(lambda: self._revert is not None, timeout=window)
            except TimeoutError:
                self._set_status("completed", self._state.status_reason)
                return
        assert self._revert is not None and self._state.draft_bill is not None
        bill = self._state.draft_bill
        request = RevertRequest(
            workflow_id=self._state.workflow_id,
            bill_id=bill.bill_id,
            idempotency_key=f"{self._state.workflow_id}:revert",
        )
        self._state.decisions.append(
            DecisionRecord(
                kind="revert",
                actor=self._revert.requested_by,
                accepted=True,
                reason=self._revert.reason,
                at=workflow.now(),
            )
        )
        await self._effect_intent(
            "revert_draft_bill", {"bill_id": bill.bill_id, "by": self._revert.requested_by}
        )
        try:
            outcome = await workflow.execute_activity(
                "revert_draft_bill", request, result_type=RevertOutcome, **POST
            )
        except ActivityError as err:
            reason = _failure_message(err)
            await self._effect_outcome("revert_draft_bill", "failed", reason)
            await self._finish_needs_attention(f"revert failed: {reason}")
            return
        if not outcome.reverted:
            await self._effect_outcome("revert_draft_bill", "failed", outcome.reason)
            await self._finish_needs_attention(f"revert not possible: {outcome.reason}")
            return
        await self._effect_outcome(
            "revert_draft_bill", "done", f"bill {bill.bill_id} {outcome.status}"
        )
        self._state.draft_bill = bill.model_copy(update={"status": outcome.status})
        self._set_status("reverted", f"draft {bill.bill_id} deleted by {self._revert.requested_by}")
        await self._notify("reverted", "Draft bill reverted", self._summary(), update=True)

    # ---- endings -----------------------------------------------------------------------------

    async def _finish_rejected_input(self, reason: str, code: str | None) -> None:
        self._set_status("rejected_input", reason)
        await self._audit(
            "input.rejected",
            {"code": code, "reason": reason, "document_sha256": self._state.event.document_sha256},
        )
        await self._notify("rejected_input", "Document could not be processed", self._summary())

    async def _finish_needs_attention(self, reason: str) -> None:
        self._set_status("needs_attention", reason)
        await self._audit("workflow.needs_attention", {"reason": reason})
        await self._notify("flagged", "Needs attention", self._summary())

    async def _finish(self) -> InvoiceState:
        self._review_open = False
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._count("vouchflow_invoices_finished", {"status": self._state.status})
        workflow.metric_meter().create_histogram_timedelta(
            "vouchflow_invoice_duration", "received to finished", "duration"
        ).record(workflow.now() - self._state.event.received_at)
        await self._audit(
            "workflow.finished",
            {"status": self._state.status, "reason": self._state.status_reason},
        )
        return self._state

    async def _drain_inbox(self, why: str) -> None:
        while self._inbox:
            signal = self._inbox.pop(0)
            kind = "approve" if isinstance(signal, ApproveSignal) else "reject"
            await self._refuse(kind, signal.reviewer, signal.channel, why, notify=False)

    # ---- helpers -----------------------------------------------------------------------------

    def _count(self, name: str, attributes: dict[str, str | int | float | bool]) -> None:
        """Business metrics (exported by the worker's Prometheus endpoint); not recorded on
        replay, so a replayed workflow never double counts."""
        workflow.metric_meter().create_counter(name).add(1, attributes)

    @property
    def _policy(self) -> Settings:
        assert self._settings is not None, "policy is loaded first"
        return self._settings

    def _not_reviewable(self) -> str:
        return f"not awaiting approval (status: {self._state.status})"

    async def _refuse(
        self, kind: str, actor: str, channel: str, reason: str, *, notify: bool = True
    ) -> None:
        record = DecisionRecord(
            kind=kind,
            actor=actor,
            accepted=False,
            reason=reason,
            at=workflow.now(),
            channel=channel,
        )
        self._state.decisions.append(record)
        self._count("vouchflow_decisions", {"kind": kind, "accepted": False})
        await self._audit("decision.refused", record.model_dump(mode="json"))
        if notify and self._settings is not None and kind in ("approve", "reject"):
            await self._notify("approval_refused", f"{kind.title()} by {actor} refused", [reason])

    def _set_status(self, status: InvoiceStatus, reason: str) -> None:
        self._state.status = status
        self._state.status_reason = reason
        self._state.waiting_for = (
            self._waiting_text() if status in ("awaiting_approval", "drafted") else ""
        )
        self._publish()

    def _waiting_text(self) -> str:
        return views.waiting_text(self._state, self._settings)

    def _publish(self) -> None:
        """Search attributes + current details, so the Web UI and CLI can filter and explain."""
        workflow.upsert_search_attributes(views.search_attribute_updates(self._state))
        workflow.set_current_details(views.current_details(self._state))

    def _summary(self) -> list[str]:
        return views.summary_lines(self._state)

    def _email_message(self) -> EmailMessage:
        return views.draft_bill_email(self._state, self._policy)

    async def _audit(self, type_: str, payload: dict[str, Any]) -> None:
        self._audit_count += 1
        info = workflow.info()
        entry = AuditEntry(
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            type=type_,
            payload=payload,
            idempotency_key=f"{info.workflow_id}:{info.run_id}:{self._audit_count}:{type_}",
        )
        if workflow.patched(AUDIT_AS_LOCAL_ACTIVITY):
            # Same worker, no task-queue round trip: an append is small, idempotent and
            # on the path of every step, so it should cost milliseconds, not a dispatch.
            await workflow.execute_local_activity(
                "append_audit", entry, result_type=AuditRecord, **AUDIT
            )
        else:
            await workflow.execute_activity("append_audit", entry, result_type=AuditRecord, **AUDIT)
        self._state.audit_records += 1

    def _record_effect(self, effect: str, status: str, detail: str, ref: str | None = None) -> None:
        self._state.effects.append(
            EffectRecord(effect=effect, status=status, at=workflow.now(), detail=detail, ref=ref)
        )

    async def _effect_intent(self, effect: str, payload: dict[str, Any]) -> None:
        await self._audit("effect.intent", {"effect": effect, **payload})
        self._record_effect(effect, "intended", "")

    async def _effect_outcome(
        self,
        effect: str,
        status: str,
        detail: str,
        *,
        ref: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self._record_effect(effect, status, detail, ref)
        self._count("vouchflow_effects", {"effect": effect, "status": status})
        await self._audit(
            "effect.outcome",
            {"effect": effect, "status": status, "detail": detail, "ref": ref, **(extra or {})},
        )

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
        notification = Notification(
            workflow_id=self._state.workflow_id,
            kind=kind,
            idempotency_key=f"{self._state.workflow_id}:notify:{self._notify_count}:{kind}",
            title=title,
            lines=lines,
            update_ref=self._state.notification_ref if update else None,
            with_buttons=with_buttons,
            channels=channels or [],
            facts=views.notification_facts(self._state),
            web_url=views.web_url(self._state, self._settings),
        )
        effect = f"notify.{kind}"
        await self._effect_intent(effect, {"idempotency_key": notification.idempotency_key})
        try:
            receipt = await workflow.execute_activity(
                "send_notification", notification, result_type=NotificationReceipt, **NOTIFY
            )
        except ActivityError as err:
            await self._effect_outcome(effect, "failed", _failure_message(err))
            return None
        await self._effect_outcome(effect, "done", f"via {receipt.notifier}", ref=receipt.ref)
        return receipt
