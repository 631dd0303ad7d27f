"""How a shadow candidate's answer agrees with production's: field by field, with the
same normal forms the duplicate check uses (case, spacing and look-alike characters do
not count as disagreement; a different digit does)."""

from __future__ import annotations

from schemas.common.rollout import FieldAgreement, ShadowComparison
from schemas.invoice.invoice import Invoice
from schemas.triage.classification import TicketClassification
from vouchflow.invoice.rules.identifiers import normalise_identifier

# The key fields of an invoice (the ones every key-field metric uses).
INVOICE_FIELDS: tuple[str, ...] = (
    "supplier_name",
    "invoice_number",
    "issue_date",
    "currency",
    "total_minor",
)
TICKET_FIELDS: tuple[str, ...] = ("category", "urgency")


def _shown(value: object) -> str | None:
    return None if value is None else str(value)


def _same(field: str, left: object, right: object) -> bool:
    if field in ("supplier_name", "invoice_number"):
        return normalise_identifier(_shown(left)) == normalise_identifier(_shown(right))
    if field == "currency":
        return (_shown(left) or "").strip().upper() == (_shown(right) or "").strip().upper()
    return left == right


def _summary(fields: list[FieldAgreement]) -> ShadowComparison:
    agreed = sum(1 for f in fields if f.agree)
    return ShadowComparison(
        fields=fields,
        agree=agreed == len(fields),
        agreed_fields=agreed,
        compared_fields=len(fields),
    )


def compare_invoices(production: Invoice, candidate: Invoice) -> ShadowComparison:
    fields = [
        FieldAgreement(
            field=name,
            production=_shown(getattr(production, name)),
            candidate=_shown(getattr(candidate, name)),
            agree=_same(name, getattr(production, name), getattr(candidate, name)),
        )
        for name in INVOICE_FIELDS
    ]
    return _summary(fields)


def compare_tickets(
    production: TicketClassification,
    candidate: TicketClassification,
    *,
    production_route: str | None = None,
    candidate_route: str | None = None,
) -> ShadowComparison:
    fields = [
        FieldAgreement(
            field=name,
            production=str(getattr(production, name)),
            candidate=str(getattr(candidate, name)),
            agree=getattr(production, name) == getattr(candidate, name),
        )
        for name in TICKET_FIELDS
    ]
    result = _summary(fields)
    if production_route is not None and candidate_route is not None:
        result = result.model_copy(
            update={
                "production_route": production_route,
                "candidate_route": candidate_route,
                "route_agrees": production_route == candidate_route,
            }
        )
    return result
