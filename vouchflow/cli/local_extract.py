"""`starter.py extract FILE --json`: the whole decision pipeline, locally, without side effects.

Runs text extraction, field extraction, validation and confidence, and reports the
route the workflow would take. Duplicates are not looked up (that reads the
destination); everything else is exactly what the workflow's activities run,
including the fallback along the configured extractor chain. Model calls are shown
as the workflow records them: each attempt's tokens and cost, and the total
(``usage``); cost is in integer micro-dollars, with a decimal USD string beside it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from schemas.invoice.extraction import ExtractionResult, TokenUsage
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.einvoice import parse_einvoice
from vouchflow.documents.reader import read_document
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.runner import ExtractionRequest, run_extraction
from vouchflow.invoice.rules.assess import assess
from vouchflow.runtime.errors import user_message
from vouchflow.runtime.submit import read_file
from vouchflow.settings import Settings


def usd(micro_usd: int) -> str:
    """Integer micro-dollars as a decimal string, without floats: 1234 -> '0.001234'."""
    sign = "-" if micro_usd < 0 else ""
    whole, part = divmod(abs(micro_usd), 1_000_000)
    return f"{sign}{whole}.{part:06d}"


def _usage_view(usage: TokenUsage) -> dict[str, Any]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_tokens,
        "tokens": usage.input_tokens + usage.output_tokens,
        "cost_micro_usd": usage.cost_micro_usd,
        "cost_usd": usd(usage.cost_micro_usd),
    }


def usage_report(result: ExtractionResult, failures: list[dict[str, str]]) -> dict[str, Any]:
    """Tokens and cost per model call and in total, as the workflow adds them up."""
    attempts = [
        {
            "attempt": a.attempt,
            "provider": a.provider,
            "model": a.model,
            "ok": a.ok,
            "errors": a.errors,
            **_usage_view(a.usage),
        }
        for a in result.attempts
    ]
    return {
        "extractor": result.extractor.name,
        "model": result.extractor.model,
        "attempts": attempts,
        "total": _usage_view(result.usage),
        "failed_providers": failures,
    }


async def extract_locally(path: Path, settings: Settings) -> dict[str, Any]:
    # Checked on the opened file before reading: a directory, a FIFO or a file over the
    # intake cap is refused with a reason instead of being read whole.
    data = await asyncio.to_thread(read_file, path, max_bytes=settings.intake.max_file_bytes)
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
        failures: list[dict[str, str]] = []
        if document.einvoice_ref is not None:
            extraction = parse_einvoice(blobs.get(document.einvoice_ref.sha256))
        else:
            assert document.text_ref is not None
            text = blobs.get_text(document.text_ref.sha256)
            found = await _extract_along_chain(text, path.name, settings, failures)
            if found is None:
                out["route"] = "review"
                out["reason"] = "no extractor succeeded: " + "; ".join(
                    f"{f['provider']}: {f['reason']}" for f in failures
                )
                out["usage"] = {"attempts": [], "failed_providers": failures}
                return out
            extraction = found
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
            "usage": usage_report(extraction, failures),
            "evidence": [e.model_dump(mode="json") for e in extraction.evidence],
            "findings": [f.model_dump(mode="json") for f in assessment.findings],
            "confidence": assessment.confidence.model_dump(mode="json"),
            "route": assessment.decision.route,
            "reasons": assessment.decision.reasons,
            "injection_flags": extraction.injection_flags,
        }
    )
    return out


async def _extract_along_chain(
    text: str, filename: str, settings: Settings, failures: list[dict[str, str]]
) -> ExtractionResult | None:
    chain = [p.strip() for p in settings.extraction.extractor.split(",") if p.strip()]
    for provider in chain or ["rules"]:
        try:
            result = await run_extraction(
                ExtractionRequest(text=text, filename=filename, provider=provider), settings
            )
        except ExtractionError as err:
            failures.append({"provider": provider, "reason": user_message(err)})
            continue
        if failures:
            result.notes.append(
                f"fallback: used {provider} after "
                + "; ".join(f"{f['provider']}: {f['reason']}" for f in failures)
            )
        return result
    return None
