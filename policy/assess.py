"""Tie validation, duplicates, confidence and routing into one `Assessment`.

Also the reviewer path: `apply_corrections` turns a reviewer's corrected fields
(ground-truth names) into a new invoice, and `corrected_extraction` marks those
fields as certain so the corrected invoice can be assessed again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from policy.confidence import score_confidence
from policy.routing import decide_route
from policy.validation import validate_invoice
from schemas.assessment import Assessment, Finding
from schemas.effects import DuplicateMatch
from schemas.extraction import ExtractionResult, FieldEvidence
from schemas.invoice import Invoice
from settings.config import Settings

CORRECTION_SOURCE = "reviewer correction"

_DUPLICATE_MESSAGES: dict[str, str] = {
    "same_supplier_and_number": "an invoice from the same supplier with the same number exists",
    "same_document": "the same document was already processed",
}


def duplicate_findings(duplicates: list[DuplicateMatch]) -> list[Finding]:
    findings: list[Finding] = []
    for match in duplicates:
        where = f"bill {match.bill_id}"
        if match.workflow_id:
            where += f" (workflow {match.workflow_id})"
        findings.append(
            Finding(
                code=f"duplicate.{match.reason}",
                severity="error",
                message=f"possible duplicate: {_DUPLICATE_MESSAGES[match.reason]}: {where}",
                actual=match.bill_id,
            )
        )
    return findings


def assess(
    extraction: ExtractionResult,
    *,
    duplicates: list[DuplicateMatch],
    today: dt.date,
    settings: Settings,
    text_method: str,
) -> Assessment:
    invoice, findings = validate_invoice(extraction.invoice, today=today, settings=settings)
    findings += duplicate_findings(duplicates)
    confidence = score_confidence(
        extraction, invoice, findings, settings=settings, text_method=text_method
    )
    decision = decide_route(invoice, findings, confidence, extraction, settings=settings)
    duplicate_of = None
    if duplicates:
        duplicate_of = duplicates[0].workflow_id or duplicates[0].bill_id
    return Assessment(
        invoice=invoice,
        findings=findings,
        confidence=confidence,
        decision=decision,
        duplicate_of=duplicate_of,
    )


_MONEY_SUFFIX = "_minor"


def _reject_float_money(key: str, value: Any) -> None:
    # Money is integer minor units; a float here means the caller sent major units.
    if key.endswith(_MONEY_SUFFIX) and isinstance(value, float | bool):
        raise ValueError(
            f"{key} must be an integer number of minor units (e.g. 12345 for 123.45), got {value!r}"
        )


def apply_corrections(invoice: Invoice, corrections: dict[str, Any]) -> Invoice:
    """Return `invoice` with `corrections` applied; raise ValueError when they are invalid."""
    if not isinstance(corrections, dict):
        raise ValueError("corrections must be an object of field names to values")
    known = set(Invoice.model_fields)
    unknown = sorted(set(corrections) - known)
    if unknown:
        raise ValueError(
            f"unknown invoice field(s) in corrections: {', '.join(unknown)};"
            f" allowed: {', '.join(sorted(known))}"
        )
    data = invoice.model_dump(mode="json")
    for key, value in corrections.items():
        _reject_float_money(key, value)
        if key == "line_items":
            if not isinstance(value, list):
                raise ValueError("line_items must be a list of line objects")
            for index, line in enumerate(value):
                if not isinstance(line, dict):
                    raise ValueError(f"line_items[{index}] must be an object")
                for line_key, line_value in line.items():
                    _reject_float_money(f"line_items[{index}].{line_key}", line_value)
        if key == "currency" and isinstance(value, str):
            value = value.strip().upper()
        data[key] = value
    try:
        return Invoice.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ValueError(f"invalid corrections: {problems}") from exc


def corrected_extraction(
    extraction: ExtractionResult, corrections: dict[str, Any]
) -> ExtractionResult:
    """The extraction with corrections applied and the corrected fields' evidence certain."""
    invoice = apply_corrections(extraction.invoice, corrections)
    corrected = set(corrections)

    def is_corrected(field: str) -> bool:
        return field in corrected or ("line_items" in corrected and field.startswith("line_items"))

    evidence = [ev for ev in extraction.evidence if not is_corrected(ev.field)]
    values = invoice.model_dump(mode="json")
    for field in sorted(corrected):
        value = values[field]
        evidence.append(
            FieldEvidence(
                field=field,
                value=None if value is None else str(value),
                source_text=CORRECTION_SOURCE,
                certainty=1.0,
            )
        )
    notes = [*extraction.notes, f"corrected by a reviewer: {', '.join(sorted(corrected))}"]
    return extraction.model_copy(update={"invoice": invoice, "evidence": evidence, "notes": notes})
