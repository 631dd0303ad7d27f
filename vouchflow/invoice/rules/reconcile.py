"""What purchase-order reconciliation changes about an invoice's route: plain functions.

The invoice workflow asks `should_reconcile` after assessment; when it does reconcile,
`route_with_reconciliation` folds the reviewer's sentences from
vouchflow.reconciliation.routing into the route: a matched invoice keeps its route, any
other outcome (amount mismatch, no PO, an unverified proposal, a failed run) turns an
auto-draft into a review and adds the finding to a review's reasons. Flags and rejected
inputs stay as they are (nothing would be drafted anyway), and approval limits apply as
before.

After a reviewer's corrections the first result is kept, not re-run: reconciliation
only routes, and the invoice is already with a person who decides; `touched_match_fields`
names the corrected fields that the match was made on, so the approval record says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from schemas.invoice.assessment import Assessment, RouteDecision
from schemas.invoice.extraction import ExtractionResult

SECTION = "reconciliation"
# Off unless configured: with no purchase-order data of its own a deployment would send
# every invoice to review ("no PO"); turning it on is a decision about the PO store.
DEFAULT_ENABLED = False
# The routes reconciliation may change or add to; flag and reject_input never draft.
RECONCILED_ROUTES = frozenset({"auto_draft", "review"})
# Fields the match is made on: supplier, number (already invoiced), amounts, currency.
MATCH_FIELDS = frozenset(
    {
        "supplier_name",
        "supplier_vat_id",
        "invoice_number",
        "currency",
        "subtotal_minor",
        "tax_total_minor",
        "total_minor",
        "line_items",
        "document_type",
    }
)


def reconciliation_enabled(integrations: Mapping[str, Any]) -> bool:
    """`[reconciliation] enabled` (a boolean; absent = DEFAULT_ENABLED). Anything else is
    a configuration error, raised so the run ends with that reason (fail closed)."""
    section = integrations.get(SECTION)
    if not isinstance(section, Mapping) or "enabled" not in section:
        return DEFAULT_ENABLED
    value = section["enabled"]
    if not isinstance(value, bool):
        raise ValueError(f"[reconciliation] enabled must be true or false, got {value!r}")
    return value


def should_reconcile(assessment: Assessment, extraction: ExtractionResult) -> bool:
    """Invoices only (a credit note is matched against nothing), on a route a match can
    change, with an invoice to match (a failed-closed extraction is keyed in by a person)."""
    return (
        assessment.invoice.document_type == "invoice"
        and assessment.decision.route in RECONCILED_ROUTES
        and not extraction.failed_closed
    )


def route_with_reconciliation(decision: RouteDecision, reasons: list[str]) -> RouteDecision:
    """`reasons`: reconciliation_review_reasons(result), empty when it matched."""
    if not reasons or decision.route not in RECONCILED_ROUTES:
        return decision
    if decision.route == "auto_draft":
        # "All checks passed" no longer holds: the reviewer reads only why it waits.
        return RouteDecision(route="review", reasons=list(reasons))
    return decision.model_copy(update={"reasons": [*decision.reasons, *reasons]})


def touched_match_fields(corrections: Iterable[str]) -> list[str]:
    return sorted(set(corrections) & MATCH_FIELDS)
