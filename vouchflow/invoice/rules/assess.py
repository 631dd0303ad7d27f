"""Tie validation, duplicates, confidence and routing into one `Assessment`.

Also the reviewer path: `apply_corrections` turns a reviewer's corrected fields
(ground-truth names) into a new invoice, and `corrected_extraction` marks those
fields as certain so the corrected invoice can be assessed again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import ValidationError

from schemas.common.money import MINOR_MAX
from schemas.invoice.assessment import Assessment, Finding
from schemas.invoice.effects import DuplicateMatch
from schemas.invoice.extraction import ExtractionProblem, ExtractionResult, FieldEvidence
from schemas.invoice.invoice import DocumentType, Invoice
from vouchflow.invoice.rules.confidence import score_confidence
from vouchflow.invoice.rules.routing import decide_route
from vouchflow.invoice.rules.sections import PolicySections
from vouchflow.invoice.rules.validation import CORRECTION_SOURCE, validate_invoice

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


def problem_findings(problems: list[ExtractionProblem]) -> list[Finding]:
    """Each extraction problem as a finding: same code and field, the raw text kept.

    Date and amount problems (an impossible or implausible date, an amount out of range)
    are errors whatever the extractor called them; routing sends every problem to review.
    """
    findings: list[Finding] = []
    for problem in problems:
        forced = problem.code.startswith(_ALWAYS_ERROR_PREFIXES)
        severity: Literal["warning", "error"] = "error" if forced else problem.severity
        message = _shorten(" ".join(problem.message.split()), _PROBLEM_MESSAGE_CHARS)
        raw = None
        if problem.raw_text is not None:
            raw = _shorten(" ".join(problem.raw_text.split()), _RAW_TEXT_CHARS)
            if raw and raw not in message:
                message += f' (printed as "{raw}")'
        findings.append(
            Finding(
                code=problem.code,
                severity=severity,
                message=message,
                field=problem.field,
                actual=raw,
            )
        )
    return findings


def assess(
    extraction: ExtractionResult,
    *,
    duplicates: list[DuplicateMatch],
    today: dt.date,
    settings: PolicySections,
    text_method: str,
    learned_supplier: str | None = None,
) -> Assessment:
    """`learned_supplier`: the supplier's name when a live supplier template recognised
    the document (it then counts as a known supplier)."""
    invoice, findings = validate_invoice(
        extraction.invoice, today=today, settings=settings, evidence=extraction.evidence
    )
    findings += problem_findings(extraction.problems)
    findings += duplicate_findings(duplicates)
    confidence = score_confidence(
        extraction,
        invoice,
        findings,
        settings=settings,
        text_method=text_method,
        learned_supplier=learned_supplier,
    )
    decision = decide_route(
        invoice,
        findings,
        confidence,
        extraction,
        settings=settings,
        learned_supplier=learned_supplier,
    )
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
_ALWAYS_ERROR_PREFIXES = ("date.", "amount.")
_RAW_TEXT_CHARS = 200
_PROBLEM_MESSAGE_CHARS = 500
# A reviewer types these; nothing real is longer (Xero caps line descriptions at 4000).
_MAX_TEXT_CHARS = 1_000
_MAX_DESCRIPTION_CHARS = 4_000
_SHOWN_VALUE_CHARS = 40
# Optional money fields may be cleared with null; the adjustments default to 0.
_REQUIRED_MONEY = frozenset({"allowance_total_minor", "charge_total_minor"})


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shown(value: Any) -> str:
    """A value as a refusal reason quotes it: one line, short, no object internals."""
    if isinstance(value, int) and not isinstance(value, bool):
        # str() of an int beyond 4300 digits raises; say how big it is instead.
        if value.bit_length() > 200:
            return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
        return str(value)
    if value is None or isinstance(value, str | float | bool):
        return _shorten(" ".join(repr(value).split()), _SHOWN_VALUE_CHARS)
    return f"a {type(value).__name__}"


def _money_value(key: str, value: Any, max_abs: int) -> int | None:
    """A corrected amount: whole minor units, an int or a string of digits, in bounds."""
    if value is None and key.rsplit(".", 1)[-1] not in _REQUIRED_MONEY:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(
            f"{key} must be an integer number of minor units (e.g. 12345 for 123.45),"
            f" got {_shown(value)}"
        )
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        body = text[1:] if text[:1] in "+-" else text
        if not body.isascii() or not body.isdigit():
            raise ValueError(
                f"{key} must be an integer number of minor units (e.g. 12345 for 123.45),"
                f" got {_shown(value)}"
            )
        if len(body.lstrip("0")) > len(str(MINOR_MAX)):
            raise ValueError(
                f"{key} is out of range: at most {max_abs} minor units in absolute value"
            )
        value = int(text)
    if abs(value) > max_abs:
        raise ValueError(
            f"{key} = {_shown(value)} is out of range: at most {max_abs} minor units in"
            " absolute value"
        )
    return value


def apply_corrections(
    invoice: Invoice, corrections: dict[str, Any], *, max_amount_minor: int = MINOR_MAX
) -> Invoice:
    """Return `invoice` with `corrections` applied; raise ValueError when they are invalid.

    The message is one line a person can act on (never Python internals). Amounts must be
    whole minor units within `max_amount_minor` (and 64 bits); `document_type` is
    `invoice` or `credit_note`; an invoice's total cannot be made negative (a credit note
    is a document type, not a minus sign).
    """
    if not isinstance(corrections, dict):
        raise ValueError("corrections must be an object of field names to values")
    max_abs = min(max_amount_minor, MINOR_MAX)
    known = set(Invoice.model_fields)
    unknown = sorted(_shorten(str(k), _SHOWN_VALUE_CHARS) for k in set(corrections) - known)
    if unknown:
        raise ValueError(
            f"unknown invoice field(s) in corrections: {', '.join(unknown)};"
            f" allowed: {', '.join(sorted(known))}"
        )
    data = invoice.model_dump(mode="json")
    for key, value in corrections.items():
        if key.endswith(_MONEY_SUFFIX):
            value = _money_value(key, value, max_abs)
        _check_length(key, value, _MAX_TEXT_CHARS)
        if key == "line_items":
            value = _corrected_lines(value, max_abs)
        if key == "document_type" and value not in _DOCUMENT_TYPES:
            raise ValueError(
                f"document_type must be one of {', '.join(_DOCUMENT_TYPES)}, got {_shown(value)}"
            )
        if key == "currency" and isinstance(value, str):
            value = value.strip().upper()
        data[key] = value
    try:
        corrected = Invoice.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {' '.join(str(err['msg']).split())}"
            for err in exc.errors()
        )
        raise ValueError(f"invalid corrections: {_shorten(problems, 500)}") from None
    check_total_sign(corrected)
    return corrected


_DOCUMENT_TYPES: tuple[str, ...] = get_args(DocumentType)


def _check_length(key: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise ValueError(f"{key} is too long ({len(value)} characters; at most {limit})")


def _corrected_lines(value: Any, max_abs: int) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValueError("line_items must be a list of line objects")
    lines: list[dict[str, Any]] = []
    for index, line in enumerate(value):
        if not isinstance(line, dict):
            raise ValueError(f"line_items[{index}] must be an object")
        fixed = dict(line)
        for line_key, line_value in line.items():
            limit = _MAX_DESCRIPTION_CHARS if line_key == "description" else _MAX_TEXT_CHARS
            _check_length(f"line_items[{index}].{line_key}", line_value, limit)
            if isinstance(line_key, str) and line_key.endswith(_MONEY_SUFFIX):
                fixed[line_key] = _money_value(
                    f"line_items[{index}].{line_key}", line_value, max_abs
                )
        lines.append(fixed)
    return lines


def check_total_sign(invoice: Invoice) -> None:
    """An invoice's total is never negative: raise a ValueError that says what to do."""
    total = invoice.total_minor
    if invoice.document_type == "invoice" and total is not None and total < 0:
        raise ValueError(
            f"the total would be negative ({total} minor units) on an invoice: correct the"
            " amounts, or set document_type to credit_note if the document is a credit note"
        )


def corrected_extraction(
    extraction: ExtractionResult, corrections: dict[str, Any], *, max_amount_minor: int = MINOR_MAX
) -> ExtractionResult:
    """The extraction with corrections applied and the corrected fields' evidence certain.

    A problem the extractor reported on a field the reviewer corrected is resolved by
    the correction and dropped; problems on other fields, and those about the document
    as a whole, stay.
    """
    invoice = apply_corrections(extraction.invoice, corrections, max_amount_minor=max_amount_minor)
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
    problems = [p for p in extraction.problems if p.field is None or not is_corrected(p.field)]
    notes = [*extraction.notes, f"corrected by a reviewer: {', '.join(sorted(corrected))}"]
    return extraction.model_copy(
        update={"invoice": invoice, "evidence": evidence, "notes": notes, "problems": problems}
    )
