"""Supplier templates as activities and the workflow see them: the check of an
extraction against the supplier's template, and what learning produced."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.documents import DocumentText
from schemas.invoice.extraction import ExtractionProblem, ExtractionResult, FieldEvidence
from schemas.invoice.invoice import Invoice


class TemplateCheck(BaseModel):
    """An extraction compared with the template of the supplier it came from."""

    model_config = ConfigDict(extra="forbid")

    template_id: str
    version: int
    supplier_name: str
    # A supplier with a live template is a known supplier (routing, confidence).
    known_supplier: bool = True
    matched_by: list[str] = Field(default_factory=list, description="e.g. 'VAT id DE123456789'")
    agreeing: list[str] = Field(default_factory=list)
    disagreeing: list[str] = Field(default_factory=list)
    # Values (JSON form) for fields the extractor left empty.
    fills: dict[str, str] = Field(default_factory=dict)
    evidence: list[FieldEvidence] = Field(default_factory=list)
    # Disagreements, unreadable key fields, changed bank details: each forces review.
    findings: list[ExtractionProblem] = Field(default_factory=list)


class CheckTemplateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    document: DocumentText
    extraction: ExtractionResult


class LearnTemplateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    document_sha256: str
    document: DocumentText
    approved: Invoice
    corrected_fields: list[str] = Field(default_factory=list)
    approved_by: str


class LearnedTemplate(BaseModel):
    """What learning stored: a new version of the supplier's template."""

    model_config = ConfigDict(extra="forbid")

    template_id: str
    version: int
    supplier_name: str
    action: str = Field(description="learned (first version) or updated")
    fields: list[str]
    corrected_fields: list[str] = Field(default_factory=list)
    vat_ids: list[str] = Field(default_factory=list)
    ibans: list[str] = Field(default_factory=list)
