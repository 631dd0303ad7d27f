"""Field extraction: one provider per call; the workflow walks the fallback chain."""

from __future__ import annotations

import asyncio

from documents.einvoice import parse_einvoice
from temporalio import activity

from activities.deps import ActivityDeps
from activities.errors import to_application_error
from extraction.base import ExtractionError
from extraction.runner import ExtractionRequest, run_extraction
from schemas.extraction import ExtractionResult
from schemas.workflow import ExtractFieldsInput


class ExtractionActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="extract_invoice_fields")
    async def extract_invoice_fields(self, request: ExtractFieldsInput) -> ExtractionResult:
        blobs = self._deps.blobs
        doc = request.document
        if request.provider == "einvoice":
            if doc.einvoice_ref is None:
                raise ValueError("no e-invoice XML on this document")
            xml = await asyncio.to_thread(blobs.get, doc.einvoice_ref.sha256)
            return await asyncio.to_thread(parse_einvoice, xml)
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
