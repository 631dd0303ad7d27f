"""Inputs and outputs of the reconciliation activities that are not tools."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.invoice.invoice import Invoice
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.purchase_orders import CandidateSet, PoFacts


class PrepareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_text_sha256: str | None = None
    po_references: list[str] = Field(default_factory=list)
    need_policy: bool = True


class Prepared(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: ReconciliationPolicy | None
    references: list[str]


class CandidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice: Invoice
    references: list[str]
    policy: ReconciliationPolicy
    # Verifying a proposal: that PO's facts, and its supplier's other POs as rivals.
    proposed_po: str | None = None


class CandidateReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidates: CandidateSet
    proposed: PoFacts | None = None
