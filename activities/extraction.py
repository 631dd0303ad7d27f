"""Field extraction: one provider per call; the workflow walks the fallback chain."""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.deps import ActivityDeps
from activities.errors import to_application_error
from documents.blobs import BlobStore
from documents.einvoice import parse_einvoice
from extraction.base import ExtractionError
from extraction.runner import ExtractionRequest, run_extraction
from extraction.structured_check import cross_check_structured
from schemas.extraction import ExtractionResult
from schemas.workflow import ExtractFieldsInput, PromptRef, ResolvePromptInput

# Evidence quotes longer than this are cut in history (the full text is in the blob).
MAX_EVIDENCE_CHARS = 160


def compact_for_history(result: ExtractionResult, blobs: BlobStore) -> ExtractionResult:
    """Keep workflow payloads small whatever the number of lines: the full result
    (every line item's evidence) goes to the blob store, history keeps the header
    evidence that confidence and people need, plus the reference."""
    ref = blobs.put(result.model_dump_json().encode(), "application/json")
    header = [
        ev.model_copy(update={"source_text": (ev.source_text or "")[:MAX_EVIDENCE_CHARS] or None})
        for ev in result.evidence
        if not ev.field.startswith("line_items")
    ]
    return result.model_copy(update={"evidence": header, "full_result_ref": ref})


class ExtractionActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="extract_invoice_fields")
    async def extract_invoice_fields(self, request: ExtractFieldsInput) -> ExtractionResult:
        result = await self._extract(request)
        return await asyncio.to_thread(compact_for_history, result, self._deps.blobs)

    async def _extract(self, request: ExtractFieldsInput) -> ExtractionResult:
        blobs = self._deps.blobs
        doc = request.document
        if request.provider == "einvoice":
            if doc.einvoice_ref is None:
                raise ValueError("no e-invoice XML on this document")
            xml = await asyncio.to_thread(blobs.get, doc.einvoice_ref.sha256)
            result = await asyncio.to_thread(parse_einvoice, xml)
            if doc.text_ref is not None and doc.method != "einvoice_xml":
                # The page a person sees may say something else than the XML.
                text = await asyncio.to_thread(blobs.get_text, doc.text_ref.sha256)
                result = cross_check_structured(result, text, filename=request.filename)
            return result
        if doc.text_ref is None:
            raise ValueError("document has no text to extract from")
        text = await asyncio.to_thread(blobs.get_text, doc.text_ref.sha256)
        try:
            return await run_extraction(
                ExtractionRequest(
                    text=text,
                    filename=request.filename,
                    provider=request.provider,
                    prompt_name=request.prompt_name,
                    prompt_version=request.prompt_version,
                    token_budget_remaining=request.token_budget_remaining,
                ),
                request.settings,
            )
        except ExtractionError as err:
            raise to_application_error(err) from err

    @activity.defn(name="resolve_prompt")
    async def resolve_prompt(self, request: ResolvePromptInput) -> PromptRef:
        """Label -> version, once per workflow; the answer is then fixed in history, so a
        `prompt promote` or `rollback` affects new workflows only."""
        from llm.config import llm_settings
        from prompts.registry import PromptError, resolve_label

        cfg = llm_settings(request.settings)
        try:
            spec = await asyncio.to_thread(
                resolve_label, cfg.prompt_name, cfg.prompt_label, request.settings.home
            )
        except PromptError as err:
            raise ApplicationError(str(err), type="PromptError", non_retryable=True) from err
        return PromptRef(
            name=spec.name,
            version=spec.version,
            label=cfg.prompt_label,
            model=spec.model,
            token_budget=cfg.token_budget_per_workflow,
        )
