"""What an extractor proposes: an invoice plus the evidence for each field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.documents import BlobRef
from schemas.invoice.invoice import Invoice


class FieldEvidence(BaseModel):
    """Where a field's value came from and how sure the extractor is of it."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="e.g. 'total_minor' or 'line_items[0].line_total_minor'")
    value: str | None
    source_text: str | None = Field(description="the text the value was read from")
    certainty: float = Field(ge=0.0, le=1.0, description="the extractor's own certainty, 0..1")


class TokenUsage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    # Cost in micro-dollars (1e-6 USD): integers, like all money here.
    cost_micro_usd: int = 0


class ExtractorInfo(BaseModel):
    """Which extractor produced a result: recorded on every extraction step."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["rules", "einvoice", "openai", "anthropic", "openai-compatible"]
    name: str = Field(description="human label, e.g. 'rules extractor (no model)'")
    model: str | None = None
    prompt_name: str | None = None
    prompt_version: str | None = None
    settings: dict[str, str] = Field(default_factory=dict)


class LlmAttempt(BaseModel):
    """One call to a model (the first try or the repair), kept for the audit trail."""

    model_config = ConfigDict(extra="forbid")

    attempt: int
    provider: str
    model: str | None = None
    ok: bool
    errors: list[str] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    raw_output_sha256: str | None = Field(default=None, description="blob ref of the raw output")
    # The raw answer, redacted, in the blob store (so `explain` can show it months later),
    # and the exact conversation the model was sent (prompt + document), also a blob.
    raw_output_ref: str | None = None
    input_ref: str | None = None
    input_sha256: str | None = None
    # Carried from the model call to the activity that stores them; never serialised, so
    # neither ever reaches workflow history.
    raw_output: str | None = Field(default=None, exclude=True, repr=False)
    input_text: str | None = Field(default=None, exclude=True, repr=False)


class ExtractionProblem(BaseModel):
    """Something the extractor saw but could not turn into a trustworthy value: an amount
    outside the bounds, an impossible date, text cut at the limit, a fallback after a
    failed structured read, e-invoice XML that disagrees with the page. Validation turns
    each into a finding (with the raw text) and any problem forces review."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="stable machine code, e.g. 'date.impossible'")
    field: str | None = None
    message: str
    raw_text: str | None = Field(default=None, description="what the document said, verbatim")
    severity: Literal["warning", "error"] = "error"


class ExtractionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice: Invoice
    evidence: list[FieldEvidence] = Field(default_factory=list)
    extractor: ExtractorInfo
    usage: TokenUsage = Field(default_factory=TokenUsage)
    # Does the document look like an invoice at all? (0..1) Below the policy
    # threshold the workflow ends in `rejected_input` / not_an_invoice.
    invoice_likelihood: float = Field(default=1.0, ge=0.0, le=1.0)
    # Instruction-like text found in the document (prompt injection); forces review.
    injection_flags: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    # LLM runs: every attempt (first + repair); failed_closed = no valid output,
    # the workflow must route to review with `failure_reason`.
    attempts: list[LlmAttempt] = Field(default_factory=list)
    failed_closed: bool = False
    failure_reason: str | None = None
    text_truncated: bool = False
    problems: list[ExtractionProblem] = Field(default_factory=list)
    # When a model extracted the invoice, the rules extractor runs too; its
    # invoice and the field-by-field agreement (0..1) feed confidence.
    cross_check_invoice: Invoice | None = None
    agreement: float | None = None
    disagreeing_fields: list[str] = Field(default_factory=list)
    # Line-item evidence stays in the blob store (it grows with every line); the
    # workflow carries header evidence and this reference.
    full_result_ref: BlobRef | None = None

    def certainty_of(self, field: str) -> float | None:
        for ev in self.evidence:
            if ev.field == field:
                return ev.certainty
        return None
