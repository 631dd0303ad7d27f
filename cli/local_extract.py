"""`starter.py extract FILE --json`: the whole decision pipeline, locally, without side effects.

Runs text extraction, field extraction, validation and confidence, and reports the
route the workflow would take. Duplicates are not looked up (that reads the
destination); everything else is exactly what the workflow's activities run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from documents.blobs import LocalBlobStore
from documents.einvoice import parse_einvoice
from documents.reader import read_document
from extraction.runner import ExtractionRequest, run_extraction
from policy.assess import assess
from settings import Settings


async def extract_locally(path: Path, settings: Settings) -> dict[str, Any]:
    data = await asyncio.to_thread(path.read_bytes)
    with tempfile.TemporaryDirectory(prefix="vouchflow-extract-") as tmp:
        blobs = LocalBlobStore(Path(tmp))
        document = await asyncio.to_thread(
            read_document, data, filename=path.name, limits=settings.intake, blobs=blobs
        )
        out: dict[str, Any] = {
            "file": str(path),
            "document": document.model_dump(mode="json", exclude={"text_ref", "einvoice_ref"}),
        }
        if not document.ok:
            out["route"] = "reject_input"
            out["reason"] = f"{document.bad_input_code}: {document.reason}"
            return out
        if document.einvoice_ref is not None:
            extraction = parse_einvoice(blobs.get(document.einvoice_ref.sha256))
        else:
            assert document.text_ref is not None
            provider = settings.extraction.extractor.split(",")[0].strip() or "rules"
            extraction = await run_extraction(
                ExtractionRequest(
                    text=blobs.get_text(document.text_ref.sha256),
                    filename=path.name,
                    provider=provider,
                ),
                settings,
            )
    assessment = assess(
        extraction,
        duplicates=[],
        today=dt.date.today(),
        settings=settings,
        text_method=document.method,
    )
    out.update(
        {
            "invoice": assessment.invoice.ground_truth_view(),
            "extracted_invoice": extraction.invoice.ground_truth_view(),
            "extractor": extraction.extractor.model_dump(mode="json"),
            "evidence": [e.model_dump(mode="json") for e in extraction.evidence],
            "findings": [f.model_dump(mode="json") for f in assessment.findings],
            "confidence": assessment.confidence.model_dump(mode="json"),
            "route": assessment.decision.route,
            "reasons": assessment.decision.reasons,
            "injection_flags": extraction.injection_flags,
        }
    )
    return out
