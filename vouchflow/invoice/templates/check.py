"""Checking an extraction against the supplier's template.

Any extractor (rules, e-invoice, a model) proposes; the template's reading is a second,
independent witness at 0 tokens. Where they agree, the field is better proven; where
they disagree, or the template cannot read a field it learned, a person looks (both
values shown); where the extractor found nothing, the template's value fills the gap
(still validated downstream). Bank details that differ from the learned ones are an
error: payment redirection starts exactly there.
"""

from __future__ import annotations

import datetime as dt

from schemas.common.money import format_minor
from schemas.invoice.extraction import ExtractionProblem, ExtractionResult, FieldEvidence
from schemas.invoice.invoice import Invoice
from schemas.invoice.templates import TemplateCheck
from vouchflow.invoice.templates.identity import SupplierIdentity, display_id, name_key
from vouchflow.invoice.templates.models import FIELD_KINDS, SupplierTemplate, TemplateReading
from vouchflow.invoice.templates.values import approved_json

# A template that learned one of these and cannot read it on a new invoice sends the
# invoice to a person: the layout changed, and a correction will teach the new one.
KEY_FIELDS = ("supplier_name", "invoice_number", "issue_date", "currency", "total_minor")


def check_against_template(
    extraction: ExtractionResult, reading: TemplateReading, template: SupplierTemplate
) -> TemplateCheck:
    invoice = extraction.invoice
    read_currency = reading.values.get("currency")
    currency = invoice.currency or (read_currency if isinstance(read_currency, str) else None)
    findings: list[ExtractionProblem] = []
    agreeing: list[str] = []
    disagreeing: list[str] = []
    fills: dict[str, str] = {}
    evidence: list[FieldEvidence] = []
    for field, spec in template.fields.items():
        read = reading.fields.get(field)
        extracted = getattr(invoice, field)
        if read is None or read.value is None:
            if field in KEY_FIELDS:
                findings.append(
                    ExtractionProblem(
                        code="template.field_unreadable",
                        field=field,
                        message=f"the template of {template.supplier_name} could not read"
                        f" {field} on this invoice ({read.problem if read else 'not read'});"
                        " the layout may have changed",
                        severity="warning",
                    )
                )
            continue
        ev = FieldEvidence(
            field=field,
            value=read.value,
            source_text=f"supplier template {template.template_id} v{template.version}: "
            f"{read.printed!r}" + (f" at label {read.label!r}" if read.label else ""),
            certainty=read.certainty,
        )
        if extracted is None or extracted == "":
            fills[field] = read.value
            evidence.append(ev)
            continue
        if _same(field, extracted, read.value):
            agreeing.append(field)
            evidence.append(ev)
            continue
        disagreeing.append(field)
        findings.append(
            ExtractionProblem(
                code="template.disagrees",
                field=field,
                message=f"{field}: the extractor read {_shown(field, extracted, currency)},"
                f" the template of {template.supplier_name} reads"
                f" {_shown(field, read.value, currency)}",
                raw_text=read.printed,
                severity="warning",
            )
        )
        del spec
    findings += bank_findings(reading.identity, template)
    return TemplateCheck(
        template_id=template.template_id,
        version=template.version,
        supplier_name=template.supplier_name,
        known_supplier=True,
        agreeing=agreeing,
        disagreeing=disagreeing,
        fills=fills,
        evidence=evidence,
        findings=findings,
    )


def bank_findings(
    document: SupplierIdentity, template: SupplierTemplate
) -> list[ExtractionProblem]:
    """Bank details on the document that the supplier never used on an approved invoice."""
    learned = template.identity
    findings: list[ExtractionProblem] = []
    for kind, seen, known in (
        ("IBAN", document.ibans, learned.ibans),
        ("account number", document.account_numbers, learned.account_numbers),
    ):
        ours = set(template.buyer_identity.ibans) | set(template.buyer_identity.account_numbers)
        new = [v for v in seen if v not in known and v not in ours]
        if not new or not known:
            continue
        findings.append(
            ExtractionProblem(
                code="supplier.bank_details_changed",
                field=None,
                message=f"bank details differ from the ones learned for {template.supplier_name}:"
                f" learned {kind} {', '.join(display_id(v) for v in known)}; the document shows"
                f" {kind} {', '.join(display_id(v) for v in new)}. Confirm the change with the"
                " supplier by a channel you already trust before paying",
                raw_text=", ".join(display_id(v) for v in new),
                severity="error",
            )
        )
    return findings


def apply_template_check(extraction: ExtractionResult, check: TemplateCheck) -> ExtractionResult:
    """The extraction with the template's findings as problems, its values in the fields
    the extractor left empty, and the template's evidence where it agrees (the field is
    then at least as certain as the template's reading)."""
    data = extraction.invoice.model_dump(mode="json")
    data.update(check.fills)
    invoice = Invoice.model_validate(data)
    by_field = {ev.field: ev for ev in check.evidence}
    evidence: list[FieldEvidence] = []
    for ev in extraction.evidence:
        template_ev = by_field.get(ev.field)
        if template_ev is not None and ev.field in check.agreeing:
            ev = ev.model_copy(update={"certainty": max(ev.certainty, template_ev.certainty)})
        evidence.append(ev)
    present = {ev.field for ev in evidence}
    evidence += [ev for ev in check.evidence if ev.field in check.fills or ev.field not in present]
    note = (
        f"checked against the template of {check.supplier_name} ({check.template_id}"
        f" v{check.version}): agree on {', '.join(check.agreeing) or 'nothing'}"
    )
    if check.disagreeing:
        note += f"; disagree on {', '.join(check.disagreeing)}"
    if check.fills:
        note += f"; filled {', '.join(sorted(check.fills))}"
    return extraction.model_copy(
        update={
            "invoice": invoice,
            "evidence": evidence,
            "problems": [*extraction.problems, *check.findings],
            "notes": [*extraction.notes, note],
        }
    )


def _same(field: str, extracted: object, read: str) -> bool:
    if field == "supplier_name":
        return name_key(str(extracted)) == name_key(read)
    if field == "invoice_number":
        from vouchflow.invoice.rules.identifiers import normalise_identifier

        return normalise_identifier(str(extracted)) == normalise_identifier(read)
    return approved_json(FIELD_KINDS[field], extracted) == read


def _shown(field: str, value: object, currency: str | None) -> str:
    if field.endswith("_minor") and currency:
        try:
            return format_minor(int(str(value)), currency)
        except ValueError:
            pass
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(str(value))
