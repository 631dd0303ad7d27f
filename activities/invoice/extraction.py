"""Field extraction: one provider per call; the workflow walks the fallback chain."""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from activities.common.model_io import store_model_io
from activities.common.prompts import resolve_prompt_label
from schemas.common.documents import DocumentText
from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.invoice import Invoice
from schemas.invoice.workflow import ExtractFieldsInput, PromptRef
from vouchflow.documents.blobs import BlobStore
from vouchflow.documents.einvoice import EInvoiceError, parse_einvoice
from vouchflow.documents.layout import Layout
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.problems import document_truncation, problem
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.invoice.extraction.runner import ExtractionRequest, run_extraction
from vouchflow.invoice.extraction.structured_check import cross_check_structured
from vouchflow.invoice.rules.hidden_text import with_hidden_text

# Evidence quotes longer than this are cut in history (the full text is in the blob).
MAX_EVIDENCE_CHARS = 160
# Line items carried back to the workflow; the rest stay in the blob (full_result_ref).
# Well inside Temporal's 2 MB payload limit even with long descriptions.
MAX_LINES_IN_RESULT = 200
MAX_DESCRIPTION_CHARS = 500
MAX_NOTES = 50
MAX_NOTE_CHARS = 500


def _capped_invoice(invoice: Invoice) -> Invoice:
    lines = [
        line.model_copy(update={"description": line.description[:MAX_DESCRIPTION_CHARS]})
        if len(line.description) > MAX_DESCRIPTION_CHARS
        else line
        for line in invoice.line_items[:MAX_LINES_IN_RESULT]
    ]
    return invoice.model_copy(update={"line_items": lines})


def compact_for_history(result: ExtractionResult, blobs: BlobStore) -> ExtractionResult:
    """Keep workflow payloads small whatever the number of lines: the full result
    (every line item and its evidence) goes to the blob store; history keeps the
    header evidence that confidence and people need, the first
    ``MAX_LINES_IN_RESULT`` lines, and the reference. Totals are never cut: they come
    from the document's own totals, not from the carried lines."""
    ref = blobs.put(result.model_dump_json().encode(), "application/json")
    header = [
        ev.model_copy(update={"source_text": (ev.source_text or "")[:MAX_EVIDENCE_CHARS] or None})
        for ev in result.evidence
        if not ev.field.startswith("line_items")
    ]
    problems = list(result.problems)
    line_count = len(result.invoice.line_items)
    if line_count > MAX_LINES_IN_RESULT:
        problems.append(
            problem(
                "line_items.truncated",
                "line_items",
                f"{line_count:,} line items: the first {MAX_LINES_IN_RESULT} travel with the "
                f"result, all of them are in the stored full result (blob {ref.sha256[:12]}); "
                "line sums cannot be checked against the carried lines",
                severity="warning",
            )
        )
    # Problems repeat per line on a hostile document; a few hundred say enough.
    problems = problems[: 2 * MAX_LINES_IN_RESULT]
    notes = [note[:MAX_NOTE_CHARS] for note in result.notes[:MAX_NOTES]]
    update: dict[str, object] = {
        "evidence": header,
        "full_result_ref": ref,
        "invoice": _capped_invoice(result.invoice),
        "problems": problems,
        "notes": notes,
    }
    if result.cross_check_invoice is not None:
        update["cross_check_invoice"] = _capped_invoice(result.cross_check_invoice)
    return result.model_copy(update=update)


def with_truncation(result: ExtractionResult, document: DocumentText) -> ExtractionResult:
    """A text extractor's result on cut text says so, as an error: the total it read
    may be an amount printed before the cut."""
    found = document_truncation(document)
    if found is None:
        return result
    if any(p.message == found.message for p in result.problems):
        return result.model_copy(update={"text_truncated": True})
    return result.model_copy(update={"problems": [*result.problems, found], "text_truncated": True})


def with_unused_einvoice(result: ExtractionResult, document: DocumentText) -> ExtractionResult:
    """A text extractor ran on a document that carries e-invoice XML: the structured
    read failed (the workflow tries the XML first) or the XML was unusable when the
    document was read. Either way exact data was expected and was not used."""
    if document.einvoice_ref is not None:
        reason = "the structured read of its e-invoice XML failed"
    elif document.einvoice_error:
        reason = document.einvoice_error
    else:
        return result
    found = problem(
        "einvoice.fallback",
        None,
        f"the document carries an e-invoice, but its fields come from the text: {reason}",
    )
    return result.model_copy(update={"problems": [found, *result.problems]})


def einvoice_fallback(error: str, text: str | None, filename: str) -> ExtractionResult:
    """The e-invoice XML could not be read: read the page with the rules instead, and
    say so as an error so a person checks the result (exact data was expected)."""
    found = problem(
        "einvoice.fallback",
        None,
        "the embedded e-invoice XML could not be read; the fields come from the page "
        f"text instead: {error}",
    )
    if text is None:
        # It was recognised as an e-invoice: a person looks at it, it is not "not an invoice".
        result = ExtractionResult(
            invoice=Invoice(),
            extractor=extract_with_rules("", filename=filename).extractor,
            invoice_likelihood=1.0,
        )
    else:
        result = extract_with_rules(text, filename=filename)
    return result.model_copy(update={"problems": [found, *result.problems]})


def load_layout(doc: DocumentText, blobs: BlobStore) -> Layout | None:
    """The page's word positions when the reader stored them (PDF text layers)."""
    if doc.layout_ref is None:
        return None
    return Layout.from_bytes(blobs.get(doc.layout_ref.sha256))


class ExtractionActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="extract_invoice_fields")
    async def extract_invoice_fields(self, request: ExtractFieldsInput) -> ExtractionResult:
        # Whichever extractor ran, hidden text in the document sends it to a person.
        result = with_hidden_text(await self._extract(request), request.document)
        if result.attempts:
            attempts = await asyncio.to_thread(store_model_io, result.attempts, self._deps.blobs)
            result = result.model_copy(update={"attempts": attempts})
        return await asyncio.to_thread(compact_for_history, result, self._deps.blobs)

    async def _extract(self, request: ExtractFieldsInput) -> ExtractionResult:
        blobs = self._deps.blobs
        doc = request.document
        if request.provider == "einvoice":
            if doc.einvoice_ref is None:
                raise ValueError("no e-invoice XML on this document")
            xml = await asyncio.to_thread(blobs.get, doc.einvoice_ref.sha256)
            text = None
            if doc.text_ref is not None:
                text = await asyncio.to_thread(blobs.get_text, doc.text_ref.sha256)
            # A standalone XML's text is its own rendering: there is no page to compare.
            page = text if doc.method != "einvoice_xml" else None
            try:
                result = await asyncio.to_thread(parse_einvoice, xml)
            except EInvoiceError as err:
                fallback = await asyncio.to_thread(
                    einvoice_fallback, str(err), text, request.filename
                )
                return with_truncation(fallback, doc)
            if page is not None:
                # The page a person sees may say something else than the XML.
                result = await asyncio.to_thread(
                    cross_check_structured,
                    result,
                    page,
                    filename=request.filename,
                    page_truncated=doc.text_truncated,
                )
            return result
        if doc.text_ref is None:
            raise ValueError("document has no text to extract from")
        text = await asyncio.to_thread(blobs.get_text, doc.text_ref.sha256)
        layout = await asyncio.to_thread(load_layout, doc, blobs)
        try:
            result = await run_extraction(
                ExtractionRequest(
                    text=text,
                    filename=request.filename,
                    provider=request.provider,
                    prompt_name=request.prompt_name,
                    prompt_version=request.prompt_version,
                    token_budget_remaining=request.token_budget_remaining,
                ),
                self._deps.settings,
                layout=layout,
            )
        except ExtractionError as err:
            raise to_application_error(err) from err
        return with_unused_einvoice(with_truncation(result, doc), doc)

    @activity.defn(name="resolve_prompt")
    async def resolve_prompt(self) -> PromptRef:
        """Label -> version, once per workflow; the answer is then fixed in history, so a
        `prompt promote` or `rollback` affects new workflows only."""
        from vouchflow.llm.config import llm_settings

        cfg = llm_settings(self._deps.settings)
        spec = await asyncio.to_thread(
            resolve_prompt_label, cfg.prompt_name, cfg.prompt_label, self._deps.settings.home
        )
        return PromptRef(
            name=spec.name,
            version=spec.version,
            label=cfg.prompt_label,
            model=spec.model,
            token_budget=cfg.token_budget_per_workflow,
        )
