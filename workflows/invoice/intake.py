"""Intake: read the document, extract fields (provider chain), find duplicates, assess,
audit the decision before any effect, and route."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.documents import BlobRef, DocumentText
    from schemas.common.rollout import RerunRequest
    from schemas.invoice.assessment import Assessment
    from schemas.invoice.effects import DuplicateMatch, DuplicateQuery
    from schemas.invoice.extraction import ExtractionResult, ExtractorInfo
    from schemas.invoice.invoice import Invoice
    from schemas.invoice.shadow import InvoiceShadowInput
    from schemas.invoice.workflow import (
        AssessInput,
        ExtractFieldsInput,
        InvoiceWorkflowInput,
        PromptRef,
        ReadDocumentInput,
        ResumePhase,
    )
    from vouchflow.llm.config import llm_settings
    from vouchflow.settings.config import Settings
    from workflows.common.failures import failure_message
    from workflows.common.options import QUICK
    from workflows.common.providers import add_usage, asks_a_model, count_usage, provider_chain
    from workflows.common.rollout import pin_rollout, shadow_beside
    from workflows.common.trail import count
    from workflows.invoice.options import DESTINATION_READ, EXTRACT, READ
    from workflows.invoice.reconcile import ReconcileSteps


class IntakeSteps(ReconcileSteps):
    async def _intake(self, request: InvoiceWorkflowInput) -> ResumePhase | None:
        """Read, extract, assess, audit, route. The next phase, or None = ended here."""
        self._policy_snapshot = await workflow.execute_activity(
            "load_policy", result_type=Settings, **QUICK
        )
        self._set_status("reading", "reading the document")
        await self._trail.record(
            "workflow.started", {"event": request.event.model_dump(mode="json")}, defer=True
        )
        await self._verify_submitter()
        if request.rerun is not None and not await self._start_rerun(request.rerun):
            return None
        self._state.rollout = await pin_rollout(
            self._trail, "invoice", llm_settings(self._policy).prompt_name
        )

        document = await self._read_document()
        self._state.document = document
        if not document.ok and document.bad_input_code != "ocr_not_installed":
            await self._end_rejected_input(
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
            await self._end_needs_attention(
                "no extractor could read this document: "
                + "; ".join(self._state.extraction_attempts)
            )
            return None
        await self._shadow(document, extraction)
        extraction = await self._check_template(document, extraction)
        self._state.extraction = extraction

        self._set_status("assessing", "validating and scoring")
        try:
            assessment = await self._assess(extraction, corrections=None, staged=True)
        except ActivityError as err:
            # E.g. the destination refuses our credentials for the duplicate check:
            # without it nothing can be proven safe, so a person must look.
            await self._end_needs_attention(
                f"the invoice could not be checked: {failure_message(err)}"
            )
            return None
        assessment = await self._reconcile(assessment)
        self._state.assessment = assessment
        self._publish()
        # Audit before effect: the decision and why, before anything leaves the system.
        await self._trail.record(
            "decision.routed",
            {
                "route": assessment.decision.route,
                "reasons": assessment.decision.reasons,
                "confidence": assessment.confidence.model_dump(mode="json"),
                "findings": [f.model_dump(mode="json") for f in assessment.findings],
                "invoice": assessment.invoice.model_dump(mode="json"),
                "extractor": extraction.extractor.model_dump(mode="json"),
                "duplicates": [d.model_dump(mode="json") for d in self._state.duplicates],
                "stage": self._stage,
                "reconciliation": self._reconciliation_payload(),
            },
            defer=True,
        )

        route = assessment.decision.route
        count("vouchflow_invoices_routed", {"route": route, "stage": self._stage})
        if route == "reject_input":
            await self._end_rejected_input("; ".join(assessment.decision.reasons), code=None)
            return None
        if route == "flag":
            await self._end(
                "flagged",
                "; ".join(assessment.decision.reasons),
                notice=("flagged", "Invoice flagged: no draft created"),
            )
            return None
        if route == "review":
            return "review"
        return "email" if await self._post_draft() else None

    @property
    def _stage(self) -> str:
        """The rollout stage as metrics and the audit trail show it."""
        return self._state.rollout.stage if self._state.rollout is not None else "full"

    async def _start_rerun(self, rerun: RerunRequest) -> bool:
        if not await super()._start_rerun(rerun):
            return False
        proven = self._state.rerun.context.proven_submitter if self._state.rerun else None
        if proven and self._state.submitter is None:
            # The first run proved its submitter; four-eyes still holds on the re-run.
            self._state.submitter = proven
        return True

    async def _shadow(self, document: DocumentText, production: ExtractionResult) -> None:
        """The shadow stage: the candidate reads the same document, beside production."""
        await shadow_beside(
            self._trail,
            self._state,
            "InvoiceShadowWorkflow",
            lambda pin, candidate: InvoiceShadowInput(
                parent_workflow_id=self._state.workflow_id,
                document=document,
                filename=self._state.event.filename,
                candidate_provider=candidate,
                prompt_name=pin.candidate_prompt_name,
                prompt_version=pin.candidate_prompt_version,
                token_budget=llm_settings(self._policy).token_budget_per_workflow,
                production=production.invoice,
                production_provider=production.extractor.name,
            ),
        )

    async def _verify_submitter(self) -> None:
        """Four-eyes needs a proven submitter: an unproven one counts as nobody."""
        token = self._state.event.submitter_token
        if not token:
            return
        verified = await self._desk.verify("submit", token, self._state.event.submitted_by)
        if verified.ok:
            self._state.submitter = verified.actor
        await self._trail.record(
            "submission.verified" if verified.ok else "submission.unproven",
            {"submitter": verified.actor, "reason": verified.reason},
            defer=True,
        )

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
                    limits=self._policy.intake,
                ),
                result_type=DocumentText,
                **READ,
            )
        except ActivityError as err:
            # A reader that crashes on a document is itself a reason: fail closed, keep it.
            return DocumentText(ok=False, bad_input_code="corrupt_pdf", reason=failure_message(err))

    def _provider_chain(self, document: DocumentText) -> list[str]:
        # Structured data read exactly beats any model: 0 tokens, certainty 1.
        first = ["einvoice"] if document.einvoice_ref is not None else []
        return provider_chain(self._policy.extraction.extractor, first=first)

    async def _resolve_prompt(self, chain: list[str]) -> PromptRef | None:
        if not asks_a_model(chain):
            return None
        prompt = await workflow.execute_activity(
            "resolve_prompt",
            result_type=PromptRef,
            **QUICK,
        )
        self._state.prompt_version = f"{prompt.name}@{prompt.version}"
        self._publish()
        await self._trail.record("prompt.resolved", prompt.model_dump(mode="json"), defer=True)
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
                    ),
                    result_type=ExtractionResult,
                    **EXTRACT,
                )
            except ActivityError as err:
                reason = failure_message(err)
                failures.append(f"{provider}: {reason}")
                count("vouchflow_extraction_failures", {"provider": provider})
                self._state.extraction_attempts.append(f"{provider}: failed ({reason})")
                await self._trail.record(
                    "extraction.provider_failed",
                    {"provider": provider, "reason": reason},
                    defer=True,
                )
                continue
            self._state.extraction_attempts.append(f"{provider}: ok")
            add_usage(self._state, result.usage)
            count_usage(provider, result.usage)
            if failures:
                result.notes.append("fallback: used " + provider + " after " + "; ".join(failures))
            await self._trail.record(
                "extraction.completed",
                {
                    "provider": provider,
                    "extractor": result.extractor.model_dump(mode="json"),
                    "usage": result.usage.model_dump(mode="json"),
                    "attempts": [a.model_dump(mode="json") for a in result.attempts],
                    "invoice": result.invoice.model_dump(mode="json"),
                    "injection_flags": result.injection_flags,
                    "notes": result.notes,
                    # The text the extractor read (a blob), for `explain` after retention.
                    "document_text_ref": document.text_ref.sha256 if document.text_ref else None,
                },
                defer=True,
            )
            return result
        return None

    async def _assess(
        self,
        extraction: ExtractionResult,
        corrections: dict[str, Any] | None,
        *,
        staged: bool = False,
    ) -> Assessment:
        self._state.duplicates = await self._find_duplicates(extraction.invoice)
        document = self._state.document
        pin = self._state.rollout if staged else None
        return await workflow.execute_activity(
            "assess_invoice",
            AssessInput(
                extraction=extraction,
                duplicates=self._state.duplicates,
                today=workflow.now().date(),
                text_method=document.method if document else "none",
                policy=self._policy.invoice_policy(),
                corrections=corrections,
                template_check=self._state.template_check,
                stage=pin.stage if pin is not None else None,
                low_risk=pin.low_risk if pin is not None else None,
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
                document_type=invoice.document_type,
            ),
            result_type=list[DuplicateMatch],
            **DESTINATION_READ,
        )

    async def _end_rejected_input(self, reason: str, code: str | None) -> None:
        await self._end(
            "rejected_input",
            reason,
            audit=(
                "input.rejected",
                {
                    "code": code,
                    "reason": reason,
                    "document_sha256": self._state.event.document_sha256,
                },
            ),
            notice=("rejected_input", "Document could not be processed"),
        )
