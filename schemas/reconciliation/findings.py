"""What reconciliation found, each outcome with its reason, and the policy it ran under."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.money import MinorAmount

FindingKind = Literal[
    "matched",
    "amount_mismatch",
    "no_po",
    "po_closed",
    "partially_received",
    "already_invoiced",
    "currency_mismatch",
    "supplier_mismatch",
    "ambiguous",
]


class Finding(BaseModel):
    """One outcome of matching an invoice against a PO (or against none)."""

    model_config = ConfigDict(extra="forbid")

    kind: FindingKind
    reason: str
    po_number: str | None = None
    # Invoice amount minus the amount it was compared with (positive: invoice is higher).
    difference_minor: MinorAmount | None = None
    currency: str | None = None
    # "two_way" (invoice vs PO) or "three_way" (invoice vs PO vs goods receipts).
    match_type: Literal["two_way", "three_way"] | None = None


class MatchOutcome(BaseModel):
    """The deterministic matcher's answer: decided (one finding settles it) or not (code
    cannot tell which PO, if any: the agent may look, or a person)."""

    model_config = ConfigDict(extra="forbid")

    decided: bool
    finding: Finding
    findings: list[Finding] = Field(default_factory=list)
    candidates: list[str] = Field(default_factory=list, description="PO numbers considered")


class ReconciliationPolicy(BaseModel):
    """The `[reconciliation]` settings a run needs, fixed in its history at start."""

    model_config = ConfigDict(extra="forbid")

    # An invoice matches a PO amount when the difference is at most the larger of these.
    tolerance_minor: int = Field(default=100, ge=0)
    tolerance_bps: int = Field(default=50, ge=0, le=10_000, description="basis points")
    # Three-way: the invoice must be covered by goods received, not only ordered.
    three_way: bool = True
    # "none" (embedded default: unmatched -> review) or "openai:MODEL",
    # "anthropic:MODEL", "openai-compatible:MODEL".
    agent: str = "none"
    prompt_version: int = 1
    max_iterations: int = Field(default=10, ge=1, le=50)
    token_budget: int = Field(default=40_000, gt=0)
    # 0 = no cost cap (tokens still are capped).
    cost_budget_micro_usd: int = Field(default=0, ge=0)
    wall_clock_limit: dt.timedelta = dt.timedelta(minutes=10)
    max_output_tokens: int = Field(default=1_024, gt=0)
    model_timeout: dt.timedelta = dt.timedelta(seconds=60)
    # Tool results are cut to the top N items (plus a summary) before a model sees them.
    max_tool_results: int = Field(default=5, ge=1, le=50)
    # A PO number printed on the invoice within this edit distance of a PO's number is
    # taken as a typo of it (only when exactly one PO is that close).
    po_typo_distance: int = Field(default=2, ge=0, le=4)

    def tolerance_for(self, amount_minor: int) -> int:
        return max(self.tolerance_minor, abs(amount_minor) * self.tolerance_bps // 10_000)
