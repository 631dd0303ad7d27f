"""The checks an invoice went through, passed or failed, as a reviewer reads them.

Validation reports only what it found wrong (findings with stable codes such as
``arithmetic.total_mismatch``); a check that found nothing passed. Each check below
owns the code families it reports, so the page can list every check with its outcome:
failed (an error), warning, or passed. Findings of a family not listed here still show,
under "Other". Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from schemas.invoice.assessment import Finding

Outcome = Literal["passed", "warning", "failed"]


@dataclass(frozen=True)
class Check:
    name: str
    # What the check means when it passes, in a reviewer's words.
    passed_text: str
    prefixes: tuple[str, ...]


CHECKS: tuple[Check, ...] = (
    Check(
        "Required fields",
        "supplier, number, dates, currency, total and lines are present",
        ("required.",),
    ),
    Check("Currency", "the currency is one we book", ("currency.",)),
    Check(
        "Amounts",
        "every amount and quantity is within bounds",
        ("amount.", "quantity.", "credit_note."),
    ),
    Check("Arithmetic", "lines, subtotal, tax and total add up", ("arithmetic.",)),
    Check("Tax", "tax rates are allowed and the tax total matches them", ("tax.", "tax_rate.")),
    Check("Dates", "issue and due dates are plausible", ("date.",)),
    Check("Document type", "an invoice with a positive total", ("document.",)),
    Check("Identifiers", "numbers and names carry no hidden characters", ("identifier.",)),
    Check(
        "Duplicates",
        "no draft exists for the same supplier and number or document",
        ("duplicate.",),
    ),
    Check(
        "Supplier template", "the supplier's learned template agrees", ("template.", "supplier.")
    ),
    Check(
        "Reading the document",
        "the whole document was read, structured data agrees",
        ("text.", "einvoice.", "line_items.", "intake."),
    ),
)
OTHER = Check("Other", "", ())


@dataclass
class CheckRow:
    name: str
    outcome: Outcome
    passed_text: str
    findings: list[Finding] = field(default_factory=list)


def _check_of(code: str) -> Check:
    for check in CHECKS:
        if code.startswith(check.prefixes):
            return check
    return OTHER


def check_rows(findings: Sequence[Finding]) -> list[CheckRow]:
    """Every check in a fixed order with its outcome; failed ones first is the
    template's business, this keeps the order stable so a reviewer knows where to look.
    Informational findings (a recomputed subtotal) do not fail a check."""
    rows = {c.name: CheckRow(c.name, "passed", c.passed_text) for c in CHECKS}
    for finding in findings:
        check = _check_of(finding.code)
        row = rows.setdefault(check.name, CheckRow(check.name, "passed", check.passed_text))
        row.findings.append(finding)
        if finding.severity == "error":
            row.outcome = "failed"
        elif finding.severity == "warning" and row.outcome == "passed":
            row.outcome = "warning"
    return list(rows.values())
