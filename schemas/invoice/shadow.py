"""The invoice shadow run: a candidate extractor reads the same document beside
production, as a child workflow that acts on nothing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from schemas.common.documents import DocumentText
from schemas.invoice.invoice import Invoice


class InvoiceShadowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_workflow_id: str
    document: DocumentText
    filename: str
    candidate_provider: str
    prompt_name: str | None = None
    prompt_version: str | None = None
    token_budget: int | None = None
    # Production's answer (the extractor's, before any template or person touched it).
    production: Invoice
    production_provider: str


class CompareInvoiceShadowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    production: Invoice
    candidate: Invoice
