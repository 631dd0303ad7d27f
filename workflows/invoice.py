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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import NondeterminismError, ReadOnlyContextError

with workflow.unsafe.imports_passed_through():
    from schemas.assessment import Assessment
    from schemas.audit import AuditEntry, AuditRecord
    from schemas.decisions import (
        ApproveSignal,
        DecisionRecord,
        DecisionReply,
        DecisionRequest,
        RejectSignal,
        VerifiedDecision,
        VerifyDecisionInput,
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
        InvoiceResume,
        InvoiceState,
        InvoiceStatus,
        InvoiceWorkflowInput,
        PromptRef,
        ReadDocumentInput,
        ResolvePromptInput,
        ResumePhase,
    )
    from settings.config import Settings
    from workflows import decision_intake as intake
    from workflows import invoice_views as views
    from workflows.bounds import bounded_text
    from workflows.options import (
        AUDIT,
        AUDIT_AS_LOCAL_ACTIVITY,
        DECISION_PROOF,
        DESTINATION_READ,
        EMAIL,
        EXTRACT,
        LLM_PROVIDERS,
        NOTIFY,
        POST,
        QUICK,
        READ,
        RECHECK_DUPLICATES_BEFORE_POSTING,
        VERIFY,
    )


def _failure_message(err: BaseException) -> str:
    """The root cause's message: what a person needs to read."""
    cause: BaseException | None = err
    while isinstance(cause, ActivityError) and cause.cause is not None:
        cause = cause.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause)


@dataclass
class _Pending:
    """A decision whose proof verified, waiting for the review loop to apply it."""

    number: int
    signal: ApproveSignal | RejectSignal
    actor: str
    channel: str
    proof: str


@dataclass
class _Accepted:
    """A verified cancel_email or revert request."""

    actor: str
    reason: str
    proof: str


def _is_duplicate_refusal(err: BaseException) -> bool:
    cause: BaseException | None = err
    while isinstance(cause, ActivityError) and cause.cause is not None:
        cause = cause.cause
    return isinstance(cause, ApplicationError) and cause.type == "DuplicateBill"


@workflow.defn(name="InvoiceWorkflow")
class InvoiceWorkflow:
    @workflow.init
    def __init__(self, request: InvoiceWorkflowInput) -> None:
        resume = request.resume
        self._state = (
            resume.state.model_copy(update={"runs": resume.state.runs + 1})
            if resume is not None
            else InvoiceState(workflow_id=workflow.info().workflow_id, event=request.event)
        )
        self._settings: Settings | None = resume.settings if resume is not None else None
        self._inbox: list[_Pending] = []
        self._replies: dict[int, DecisionReply] = {}
        self._received = 0
        self._cancel_email: _Accepted | None = None
        if resume is not None and resume.cancel_email_by is not None:
            self._cancel_email = _Accepted(resume.cancel_email_by, "", "carried over")
        self._revert: _Accepted | None = None
        self._review_open = False
        self._review_started: datetime | None = resume.review_started_at if resume else None
        self._timers_fired = resume.timers_fired if resume is not None else 0
        self._audit_count = 0
        self._notify_count = resume.notify_count if resume is not None else 0
        self._suppressed_audited = 0

    # ---- the state machine ---------------------------------------------------------------

    @workflow.run
    async def run(self, request: InvoiceWorkflowInput) -> InvoiceState:
        try:
            if request.resume is not None:
                phase: ResumePhase | None = request.resume.phase
                await self._audit("workflow.continued", {"phase": phase, "run": self._state.runs})
            else:
                phase = await self._intake(request)
            if phase == "review":
                phase = "email" if await self._review() and await self._post_draft() else None
            if phase == "email":
                await self._email_after_delay()
                phase = "revert_window"
            if phase == "revert_window":
                await self._revert_window()
        except (NondeterminismError, ReadOnlyContextError):
            raise
        except Exception as err:
            # No input may wedge a workflow: an unexpected failure ends it, with its reason.
            await self._finish_needs_attention(
                f"the workflow stopped on an unexpected error: {type(err).__name__}:"
                f" {intake.one_line(str(err))}"
            )
        return await self._finish()

    async def _intake(self, request: InvoiceWorkflowInput) -> ResumePhase | None:
        """Read, extract, assess, audit, route. The next phase, or None = ended here."""
        self._settings = await workflow.execute_activity(
            "load_policy", result_type=Settings, **QUICK
        )
        self._set_status("reading", "reading the document")
        await self._audit("workflow.started", {"event": request.event.model_dump(mode="json")})
        await self._verify_submitter()

        document = await self._read_document()
        self._state.document = document
        if not document.ok and document.bad_input_code != "ocr_not_installed":
            await self._finish_rejected_input(
                f"{document.bad_input_code}: {document.reason}", code=document.bad_input_code
            )
            return None

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
            return None
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
            return None
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
            return None
        if route == "flag":
            self._set_status("flagged", "; ".join(assessment.decision.reasons))
            await self._notify("flagged", "Invoice flagged: no draft created", self._summary())
            return None
        if route == "review":
            return "review"
        return "email" if await self._post_draft() else None

    # ---- decisions: signals (temporal CLI) and the `decide` update (CLI, gateway) ---------

    @workflow.signal(name="approve")
    async def approve(self, raw: Any) -> None:
        await self._receive("approve", raw)

    @workflow.signal(name="reject")
    async def reject(self, raw: Any) -> None:
        await self._receive("reject", raw)

    @workflow.signal(name="cancel_email")
    async def cancel_email(self, raw: Any) -> None:
        await self._receive("cancel_email", raw)

    @workflow.signal(name="revert")
    async def revert(self, raw: Any) -> None:
        await self._receive("revert", raw)

    @workflow.update(name="decide")
    async def decide(self, raw: Any) -> DecisionReply:
        """One decision of any kind; the sender learns whether it was accepted, and why."""
        try:
            request = DecisionRequest.model_validate(raw)
        except Exception as err:
            kind = raw.get("kind") if isinstance(raw, dict) else None
            kind = kind if kind in intake.SIGNAL_TYPES else "malformed"
            return await self._refuse(
                kind, "unknown", "", f"malformed decision: {intake.one_line(str(err))}"
            )
        return await self._receive(
            request.kind, request.as_signal().model_dump(mode="json"), wait=True
        )

    @decide.validator
    def _validate_decide(self, raw: Any) -> None:
        """Once refusals are only being counted, obviously bad requests are turned away
        here, before they reach history (the sender is told; nothing grows)."""
        if self._state.refused_decisions < self._policy_or_default_refusals():
            return
        if not isinstance(raw, dict) or raw.get("kind") not in intake.SIGNAL_TYPES:
            raise ValueError("malformed decision (too many refused decisions: not recorded)")
        problem = intake.precheck_token(
            str(raw.get("token", "")),
            workflow_id=self._state.workflow_id,
            action=str(raw["kind"]),
        ) or self._gate(str(raw["kind"]))
        if problem:
            raise ValueError(f"{problem} (too many refused decisions: not recorded)")

    @workflow.query(name="status")
    def status(self) -> InvoiceState:
        return self._state

    async def _receive(self, kind: str, raw: Any, *, wait: bool = False) -> DecisionReply:
        """Shape, proof, then state: a decision the workflow can act on, or a refusal."""
        try:
            decision = intake.parse_decision(kind, raw)
        except ValueError as err:
            return await self._refuse(kind, "unknown", "", str(err))
        claimed = intake.claimed_name(decision)
        channel = str(getattr(decision, "channel", ""))
        if workflow.patched(DECISION_PROOF):
            verified = await self._verify(kind, str(getattr(decision, "token", "")), claimed)
            if not verified.ok:
                return await self._refuse(kind, claimed or "unknown", channel, verified.reason)
            actor, channel = verified.actor, verified.channel
            proof = f"token:{verified.issuer}/{verified.token_id}"
        else:
            # Workflows started before decisions carried proofs replay as they ran.
            actor, proof = claimed or "unknown", "unverified (before decision proofs)"
        gate = self._gate(kind)
        if gate:
            return await self._refuse(kind, actor, channel, gate, notify=False, proof=proof)
        if isinstance(decision, ApproveSignal | RejectSignal):
            self._received += 1
            number = self._received
            self._inbox.append(_Pending(number, decision, actor, channel, proof))
            if not wait:
                return self._reply(kind, True, actor, "queued for the review")
            await workflow.wait_condition(lambda: number in self._replies)
            return self._replies.pop(number)
        reason = str(getattr(decision, "reason", ""))
        if kind == "cancel_email":
            if self._cancel_email is None:
                self._cancel_email = _Accepted(actor, reason, proof)
            return self._reply(kind, True, actor, "the email will not be sent")
        if self._revert is None:
            self._revert = _Accepted(actor, reason, proof)
        if wait:
            await workflow.wait_condition(lambda: self._state.status != "drafted")
        return self._reply(kind, True, actor, self._state.status_reason)

    def _gate(self, kind: str) -> str | None:
        """Why the workflow cannot take this kind of decision now (None = it can)."""
        if kind in ("approve", "reject"):
            return None if self._review_open else self._not_reviewable()
        if kind == "revert" and (
            self._state.draft_bill is None or self._state.status not in ("drafted",)
        ):
            return f"nothing to revert: status is {self._state.status}"
        if kind == "cancel_email" and self._state.email_state not in ("none", "scheduled"):
            return f"no email to cancel: it is {self._state.email_state}"
        return None

    async def _verify(self, kind: str, token: str, claimed: str) -> VerifiedDecision:
        problem = intake.precheck_token(token, workflow_id=self._state.workflow_id, action=kind)
        if problem:
            return VerifiedDecision(ok=False, reason=problem)
        return await workflow.execute_local_activity(
            "verify_decision",
            VerifyDecisionInput(
                token=token,
                workflow_id=self._state.workflow_id,
                action=kind,
                claimed_actor=claimed,
            ),
            result_type=VerifiedDecision,
            **VERIFY,
        )

    async def _verify_submitter(self) -> None:
        """Four-eyes needs a proven submitter: an unproven one counts as nobody."""
        token = self._state.event.submitter_token
        if not token:
            return
        verified = await self._verify("submit", token, self._state.event.submitted_by)
        if verified.ok:
            self._state.submitter = verified.actor
        await self._audit(
            "submission.verified" if verified.ok else "submission.unproven",
            {"submitter": verified.actor, "reason": verified.reason},
        )

    def _reply(self, kind: str, accepted: bool, actor: str, reason: str) -> DecisionReply:
        return DecisionReply(
            kind=kind, accepted=accepted, actor=actor, reason=reason, status=self._state.status
        )

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
        if self._review_started is None:
            self._review_started = workflow.now()
            receipt = await self._notify(
                "approval_request",
                "Approval needed",
                self._summary(),
                with_buttons=True,
                channels=review.review_channels,
            )
            if receipt is not None:
                self._state.notification_ref = receipt.ref
        timers: list[tuple[timedelta, str]] = [
            (review.reminder_after, "reminder"),
            (review.escalation_after, "escalation"),
            (review.expire_after, "expiry"),
        ]
        while True:
            if not self._inbox and self._history_is_long():
                await self._continue_as_new("review")
            due = self._review_started + timers[self._timers_fired][0]
            remaining = max(due - workflow.now(), timedelta(0))
            try:
                await workflow.wait_condition(
                    lambda: bool(self._inbox) or self._history_is_long(), timeout=remaining
                )
            except TimeoutError:
                kind = timers[self._timers_fired][1]
                self._timers_fired += 1
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
            if not self._inbox:
                continue
            pending = self._inbox.pop(0)
            outcome = await self._decide(pending)
            if outcome is None:
                continue
            self._review_open = False
            await self._drain_inbox("a decision was already made")
            return outcome

    async def _decide(self, pending: _Pending) -> bool | None:
        """Apply one decision. None = refused (keep waiting); True/False = approved/rejected."""
        assert self._state.assessment is not None
        signal, actor, channel = pending.signal, pending.actor, pending.channel
        now = workflow.now()
        if isinstance(signal, RejectSignal):
            check = await self._check("reject", actor, self._state.assessment)
            if not check.allowed:
                await self._refuse_pending(pending, check.reason)
                return None
            record = DecisionRecord(
                kind="reject",
                actor=actor,
                accepted=True,
                reason=signal.reason,
                at=now,
                channel=channel,
                proof=pending.proof,
            )
            self._state.decisions.append(record)
            self._count("vouchflow_decisions", {"kind": "reject", "accepted": True})
            await self._audit("decision.rejected", record.model_dump(mode="json"))
            self._set_status("rejected", f"rejected by {actor}: {signal.reason}")
            self._replies[pending.number] = self._reply("reject", True, actor, signal.reason)
            await self._notify("decision", "Rejected", self._summary(), update=True)
            return False

        assessment = self._state.assessment
        details: list[str] = []
        if signal.corrections:
            try:
                assessment = await self._assess_corrections(signal.corrections)
            except ActivityError as err:
                await self._refuse_pending(pending, _failure_message(err))
                return None
            errors = [f.message for f in assessment.findings if f.severity == "error"]
            if errors and not signal.override_errors:
                await self._refuse_pending(
                    pending, "corrections do not validate: " + "; ".join(errors)
                )
                return None
            details.append("corrections re-validated: " + ", ".join(sorted(signal.corrections)))
        check = await self._check(
            "approve", actor, assessment, override_errors=signal.override_errors
        )
        if not check.allowed:
            await self._refuse_pending(pending, check.reason)
            return None
        if signal.override_errors and assessment.errors:
            details.append(
                "override of validation errors: " + "; ".join(f.message for f in assessment.errors)
            )
        if signal.corrections:
            self._state.assessment = assessment
            self._publish()
        record = DecisionRecord(
            kind="approve",
            actor=actor,
            accepted=True,
            reason=check.reason,
            at=now,
            channel=channel,
            comment=signal.comment,
            corrections=signal.corrections,
            details=details,
            proof=pending.proof,
        )
        self._state.decisions.append(record)
        self._count("vouchflow_decisions", {"kind": "approve", "accepted": True})
        await self._audit("decision.approved", record.model_dump(mode="json"))
        self._replies[pending.number] = self._reply("approve", True, actor, check.reason)
        return True

    async def _refuse_pending(self, pending: _Pending, reason: str) -> None:
        kind = "approve" if isinstance(pending.signal, ApproveSignal) else "reject"
        self._replies[pending.number] = await self._refuse(
            kind, pending.actor, pending.channel, reason, proof=pending.proof
        )

    async def _assess_corrections(self, corrections: dict[str, Any]) -> Assessment:
        assert self._state.extraction is not None
        return await self._assess(self._state.extraction, corrections=corrections)

    async def _check(
        self, decision: str, reviewer: str, assessment: Assessment, *, override_errors: bool = False
    ) -> ApprovalCheckResult:
        submitted_by = self._state.event.submitted_by
        if self._state.event.submitter_token:
            # A submit token was offered: only a proven submitter counts for four-eyes.
            submitted_by = self._state.submitter or ""
        return await workflow.execute_activity(
            "check_approval",
            ApprovalCheckInput(
                reviewer=reviewer,
                submitted_by=submitted_by,
                assessment=assessment,
                settings=self._policy,
                decision="approve" if decision == "approve" else "reject",
                override_errors=override_errors,
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
            if _is_duplicate_refusal(err):
                # The destination itself knows this bill: a flag, not a failure.
                self._set_status("flagged", f"duplicate refused by the destination: {reason}")
                self._count("vouchflow_late_duplicates", {"reason": "refused_at_posting"})
                await self._audit("decision.flagged", {"reason": self._state.status_reason})
                await self._notify(
                    "flagged",
                    "Invoice flagged: duplicate",
                    self._summary(),
                    update=bool(self._state.decisions),
                )
                return False
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
        auto = not any(d.accepted for d in self._state.decisions)
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
        if self._state.email_state != "scheduled":
            self._state.email_state = "scheduled"
            self._state.email_due_at = workflow.now() + effects.email_delay
            self._set_status("drafted", self._state.status_reason)
            await self._audit(
                "email.scheduled",
                {"due_at": self._state.email_due_at.isoformat(), "to": effects.email_to},
            )
        assert self._state.email_due_at is not None
        while True:
            remaining = max(self._state.email_due_at - workflow.now(), timedelta(0))
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
        actor = self._cancel_email.actor if self._cancel_email else "system"
        self._record_effect("send_email", "cancelled", why)
        await self._audit("email.cancelled", {"reason": why, "by": actor})
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
            idempotency_key=f"{self._state.workflow_id}:revert",
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
        await self._effect_intent(
            "revert_draft_bill", {"bill_id": draft.bill_id, "by": revert.actor}
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
            "revert_draft_bill", "done", f"bill {draft.bill_id} {outcome.status}"
        )
        self._state.draft_bill = draft.model_copy(update={"status": outcome.status})
        self._set_status("reverted", f"draft {draft.bill_id} deleted by {revert.actor}")
        await self._notify("reverted", "Draft bill reverted", self._summary(), update=True)

    # ---- long waits: continue as new well before Temporal's history limits -------------------

    def _history_is_long(self) -> bool:
        info = workflow.info()
        limit = self._settings.review.continue_as_new_after_events if self._settings else 10_000
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > limit

    async def _continue_as_new(self, phase: ResumePhase) -> None:
        """Carry the state into a fresh run; decisions in flight are answered first."""
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() or bool(self._inbox))
        if self._inbox:
            return  # a decision arrived: the caller handles it, then asks again
        await self._audit_suppressed_refusals()
        await self._audit("workflow.continuing", {"phase": phase, "run": self._state.runs})
        resume = InvoiceResume(
            phase=phase,
            state=self._state,
            settings=self._policy,
            review_started_at=self._review_started,
            timers_fired=self._timers_fired,
            notify_count=self._notify_count,
            cancel_email_by=self._cancel_email.actor if self._cancel_email else None,
        )
        workflow.continue_as_new(InvoiceWorkflowInput(event=self._state.event, resume=resume))

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
        await self._drain_inbox("the workflow has ended")
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._audit_suppressed_refusals()
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
            await self._refuse_pending(self._inbox.pop(0), why)

    # ---- helpers -----------------------------------------------------------------------------

    def _count(self, name: str, attributes: dict[str, str | int | float | bool]) -> None:
        """Business metrics (exported by the worker's Prometheus endpoint); not recorded on
        replay, so a replayed workflow never double counts."""
        workflow.metric_meter().create_counter(name).add(1, attributes)

    @property
    def _policy(self) -> Settings:
        assert self._settings is not None, "policy is loaded first"
        return self._settings

    def _policy_or_default_refusals(self) -> int:
        return self._settings.review.refusals_audited if self._settings else 20

    def _not_reviewable(self) -> str:
        return f"not awaiting approval (status: {self._state.status})"

    async def _refuse(
        self,
        kind: str,
        actor: str,
        channel: str,
        reason: str,
        *,
        notify: bool = True,
        proof: str = "unverified",
    ) -> DecisionReply:
        """Refusals are cheap: the first few are recorded, audited and (for proven people)
        notified; after that they are only counted, so no flood of refused decisions can
        push the history towards Temporal's limits."""
        reason = intake.one_line(reason)
        self._state.refused_decisions += 1
        self._count("vouchflow_decisions", {"kind": kind, "accepted": False})
        if self._state.refused_decisions > self._policy_or_default_refusals():
            self._state.suppressed_refusals += 1
            if self._state.suppressed_refusals % 500 == 0:
                await self._audit_suppressed_refusals()
            return self._reply(kind, False, actor, reason)
        record = DecisionRecord(
            kind=kind if kind in intake.SIGNAL_TYPES else "malformed",
            actor=intake.one_line(actor, 64),
            accepted=False,
            reason=reason,
            at=workflow.now(),
            channel=channel,
            proof=proof,
        )
        self._state.decisions.append(record)
        await self._audit("decision.refused", record.model_dump(mode="json"))
        proven = proof != "unverified"
        if notify and proven and self._settings is not None and kind in ("approve", "reject"):
            await self._notify("approval_refused", f"{kind.title()} by {actor} refused", [reason])
        return self._reply(kind, False, actor, reason)

    async def _audit_suppressed_refusals(self) -> None:
        count = self._state.suppressed_refusals
        if count and count != self._suppressed_audited:
            self._suppressed_audited = count
            await self._audit(
                "decision.refusals_suppressed",
                {"count": count, "total_refused": self._state.refused_decisions},
            )

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
        workflow.set_current_details(bounded_text(views.current_details(self._state)))

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
