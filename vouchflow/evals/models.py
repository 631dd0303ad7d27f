"""The typed shapes of eval cases (inputs, expected answers, metadata) and of task outputs.

Datasets are loaded into these models, so a malformed YAML case is an error naming it,
never a silently skipped case.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CaseKind = Literal["golden", "edge", "negative", "regression", "adversarial"]
CASE_KINDS: tuple[CaseKind, ...] = ("golden", "edge", "negative", "regression", "adversarial")
# The invoice fields that decide a bill: scored for exactness, and all of them must be
# right for an auto-draft to count as right.
KEY_FIELDS: tuple[str, ...] = (
    "supplier_name",
    "invoice_number",
    "issue_date",
    "currency",
    "total_minor",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provenance(_Model):
    """Where a regression case came from: a person's correction, as audited."""

    source: Literal["reviewer_correction", "incident"] = "reviewer_correction"
    workflow_id: str
    run_id: str = ""
    audit_seq: int | None = None
    audit_hash: str = ""
    prompt_version: str | None = None
    extractor: str = ""
    original: dict[str, Any] = Field(default_factory=dict)
    corrected: dict[str, Any] = Field(default_factory=dict)
    reason: str = ""
    reviewer: str = ""
    proof: str = ""
    channel: str = ""
    decided_at: str = ""
    harvested_at: str = ""


class CaseMeta(_Model):
    kind: CaseKind
    why: str = ""
    # The input carries instructions aimed at the model (prompt injection): it must be
    # detected and must never act on its own.
    injection: bool = False
    provenance: Provenance | None = None


# --- invoice extraction ------------------------------------------------------------------


class InvoiceInput(_Model):
    filename: str
    text: str


class InvoiceExpected(_Model):
    """Key fields as a person reads them (absent = not scored), and whether the invoice
    may be drafted without a person at all."""

    supplier_name: str | None = None
    invoice_number: str | None = None
    issue_date: str | None = None
    currency: str | None = None
    total_minor: int | None = None
    auto_draft_allowed: bool = True

    def key_fields(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in KEY_FIELDS if getattr(self, f) is not None}


class InvoiceOutput(_Model):
    """What the pipeline made of one case: the invoice it would draft and the route."""

    valid: bool
    # What the extractor read, and what would be drafted (after the rules recomputed
    # totals from the lines and applied corrections): exactness scores the first,
    # auto-route precision the second.
    fields: dict[str, Any] = Field(default_factory=dict)
    drafted_fields: dict[str, Any] = Field(default_factory=dict)
    route: str
    reasons: list[str] = Field(default_factory=list)
    injection_flags: list[str] = Field(default_factory=list)
    extractor: str = ""
    failure: str | None = None


# --- support-ticket classification ---------------------------------------------------------


class TicketInput(_Model):
    subject: str
    body: str
    plan: str = "pro"
    channel: str = "email"
    language: str = "en"


class TicketExpected(_Model):
    category: str | None = None
    urgency: str | None = None
    route: str | None = None


class TicketOutput(_Model):
    valid: bool
    category: str
    urgency: str
    confidence: float
    route: str
    injection_flags: list[str] = Field(default_factory=list)
    classifier: str = ""
    failure: str | None = None
