"""What a supplier template is: for each learned field, where its value sits on the page
(anchors), how it is printed (format), and the supplier's identifiers.

Plain Pydantic data: stored as JSON in the template store (one row per version), shown
by `vouchflow templates show`, and read back by `read_with_template`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.invoice.invoice import HEADER_FIELDS
from vouchflow.invoice.templates.identity import SupplierIdentity

# The fields a template learns (the key fields and the totals; line items stay with the
# generic extractor, their number changes from one invoice to the next).
TEMPLATE_FIELDS: tuple[str, ...] = HEADER_FIELDS
FieldKind = Literal["name", "identifier", "date", "amount", "currency"]
FIELD_KINDS: dict[str, FieldKind] = {
    "supplier_name": "name",
    "invoice_number": "identifier",
    "issue_date": "date",
    "due_date": "date",
    "currency": "currency",
    "subtotal_minor": "amount",
    "tax_total_minor": "amount",
    "total_minor": "amount",
}
# How a value sits relative to its label: after the label in the same run of words,
# in the next cell to the right, in a cell below, or only by its place on the page.
Relation = Literal["same_segment", "right_of", "below", "position"]


class Box(BaseModel):
    """A rectangle as fractions of the page (0..1, top-left origin): survives a page
    size change, e.g. A4 vs Letter."""

    model_config = ConfigDict(extra="forbid")

    x0: float
    top: float
    x1: float
    bottom: float


class Anchor(BaseModel):
    """One place a field's value was found on an approved page, and the label that
    leads to it."""

    model_config = ConfigDict(extra="forbid")

    relation: Relation
    label: str = Field(description="the label's words, normalised ('' for position only)")
    page: int
    value_box: Box
    label_box: Box | None = None
    # Value box minus label box (top-left corners), in points.
    dx: float = 0.0
    dy: float = 0.0
    score: float = Field(description="how good a guide this anchor is, 0..1 (best first)")
    printed: str = Field(description="the value as printed on the page it was learned from")


class FieldTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    kind: FieldKind
    # date: "DMY/", "YMD-", "D MON Y"...; amount: decimal separator "," / "." / "";
    # identifier: a shape regex such as "[A-Z]\d{8}"; currency: "code" or "symbol".
    format: str
    loose_format: str | None = None
    anchors: list[Anchor]
    learned_value: str
    corrected: bool = Field(default=False, description="the approver corrected this field")


class SupplierTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template_id: str
    supplier_name: str
    supplier_key: str
    version: int = 0
    identity: SupplierIdentity = Field(default_factory=SupplierIdentity)
    # The buyer's identifiers seen on the page (ours): never used to recognise a supplier.
    buyer_identity: SupplierIdentity = Field(default_factory=SupplierIdentity)
    fields: dict[str, FieldTemplate] = Field(default_factory=dict)
    layout_source: Literal["pdf", "text"] = "pdf"
    learned_at: dt.datetime | None = None


class FieldReading(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    value: str | None = Field(description="JSON form: ISO date, minor units as digits, text")
    printed: str | None = None
    label: str | None = None
    relation: Relation | None = None
    page: int | None = None
    box: Box | None = None
    certainty: float = 0.0
    problem: str | None = Field(default=None, description="why the field could not be read")


class TemplateReading(BaseModel):
    """What a template read on a page: per field, the value and where it came from."""

    model_config = ConfigDict(extra="forbid")

    template_id: str
    version: int
    fields: dict[str, FieldReading] = Field(default_factory=dict)
    identity: SupplierIdentity = Field(default_factory=SupplierIdentity)

    @property
    def values(self) -> dict[str, object]:
        """Field values with the types of `Invoice` (dates, ints, strings); unread fields
        are left out."""
        out: dict[str, object] = {}
        for name, reading in self.fields.items():
            if reading.value is None:
                continue
            kind = FIELD_KINDS.get(name)
            if kind == "date":
                out[name] = dt.date.fromisoformat(reading.value)
            elif kind == "amount":
                out[name] = int(reading.value)
            else:
                out[name] = reading.value
        return out
