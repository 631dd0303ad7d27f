"""Supplier templates learned from approved invoices: recognise the supplier, read the
next invoice at 0 tokens, check any extractor's answer against it."""

from vouchflow.invoice.templates.check import (
    apply_template_check,
    bank_findings,
    check_against_template,
)
from vouchflow.invoice.templates.identity import SupplierIdentity, identity_of, name_key
from vouchflow.invoice.templates.learn import learn_template, template_id_for
from vouchflow.invoice.templates.match import recognise
from vouchflow.invoice.templates.models import (
    TEMPLATE_FIELDS,
    FieldReading,
    FieldTemplate,
    SupplierTemplate,
    TemplateReading,
)
from vouchflow.invoice.templates.read import read_with_template

__all__ = [
    "TEMPLATE_FIELDS",
    "FieldReading",
    "FieldTemplate",
    "SupplierIdentity",
    "SupplierTemplate",
    "TemplateReading",
    "apply_template_check",
    "bank_findings",
    "check_against_template",
    "identity_of",
    "learn_template",
    "name_key",
    "read_with_template",
    "recognise",
    "template_id_for",
]
