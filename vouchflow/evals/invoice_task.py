"""One invoice-extraction case through the same code the workflow's activities run.

The text is read as a submitted text file is (`read_document`: encoding, hostile-input
guards, the character-grid layout), extracted by the chosen provider (the embedded rules
extractor or a model with the spec's prompt version), then validated, scored and routed
by the real rules (`invoice.rules.assess`). Duplicates are not looked up (that reads the
destination) and supplier templates are not applied: the suite measures the extractor
and the routing rules, not what the ledger already holds.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from pathlib import Path

from schemas.invoice.extraction import ExtractionResult
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.layout import Layout
from vouchflow.documents.reader import read_document
from vouchflow.evals.models import InvoiceInput, InvoiceOutput
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.runner import ExtractionRequest, run_extraction
from vouchflow.invoice.rules.assess import assess
from vouchflow.runtime.errors import user_message
from vouchflow.settings import Settings

SPEC_NAME = "invoice_extraction"


async def extract_case(
    case: InvoiceInput,
    *,
    provider: str,
    prompt_version: str,
    settings: Settings,
    env: Mapping[str, str],
) -> tuple[ExtractionResult | None, str, str | None]:
    """(extraction or None, text method, why it failed) for one case's text."""
    with tempfile.TemporaryDirectory(prefix="vouchflow-eval-") as tmp:
        blobs = LocalBlobStore(Path(tmp))
        document = read_document(
            case.text.encode("utf-8"),
            filename=case.filename,
            limits=settings.intake,
            blobs=blobs,
            ocr_enabled=False,
        )
        if not document.ok or document.text_ref is None:
            return None, document.method, f"{document.bad_input_code}: {document.reason}"
        text = blobs.get_text(document.text_ref.sha256)
        layout = None
        if document.layout_ref is not None:
            layout = Layout.from_bytes(blobs.get(document.layout_ref.sha256))
    request = ExtractionRequest(
        text=text,
        filename=case.filename,
        provider=provider,
        prompt_name=SPEC_NAME if provider != "rules" else None,
        prompt_version=prompt_version if provider != "rules" else None,
    )
    try:
        result = await run_extraction(request, settings, env=env, layout=layout)
    except ExtractionError as err:
        return None, document.method, user_message(err)
    return result, document.method, None


async def run_invoice_case(
    case: InvoiceInput,
    *,
    provider: str,
    prompt_version: str,
    settings: Settings,
    env: Mapping[str, str],
    today: dt.date,
) -> InvoiceOutput:
    extraction, method, failure = await extract_case(
        case, provider=provider, prompt_version=prompt_version, settings=settings, env=env
    )
    if extraction is None:
        # Nothing proposed: the workflow ends with a person (or rejects the input).
        route = "reject_input" if failure and failure.startswith(("empty", "bad_")) else "review"
        return InvoiceOutput(valid=False, route=route, failure=failure, reasons=[failure or ""])
    assessment = assess(
        extraction, duplicates=[], today=today, settings=settings, text_method=method
    )
    return InvoiceOutput(
        valid=not extraction.failed_closed,
        fields=extraction.invoice.ground_truth_view(),
        drafted_fields=assessment.invoice.ground_truth_view(),
        route=assessment.decision.route,
        reasons=assessment.decision.reasons,
        injection_flags=extraction.injection_flags,
        extractor=extraction.extractor.name,
        failure=extraction.failure_reason,
    )
