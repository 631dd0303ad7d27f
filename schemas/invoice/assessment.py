"""Validation findings, confidence signals and the routing decision."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.invoice.invoice import Invoice

Severity = Literal["info", "warning", "error"]
Route = Literal["auto_draft", "review", "flag", "reject_input"]


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="stable machine code, e.g. 'arithmetic.total_mismatch'")
    severity: Severity
    message: str
    field: str | None = None
    expected: str | None = None
    actual: str | None = None


class Signal(BaseModel):
    """One named input to the confidence score, recorded with its value and weight."""

    model_config = ConfigDict(extra="forbid")

    name: str
    value: float = Field(ge=0.0, le=1.0, description="1.0 = fully reassuring")
    weight: float = Field(ge=0.0)
    detail: str = ""


class Confidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=0, le=100)
    signals: list[Signal]


class RouteDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    route: Route
    reasons: list[str] = Field(description="why this route, in plain words")


class Assessment(BaseModel):
    """Everything deterministic code concluded about an extracted invoice."""

    model_config = ConfigDict(extra="forbid")

    invoice: Invoice = Field(description="the invoice after recomputation of totals")
    findings: list[Finding]
    confidence: Confidence
    decision: RouteDecision
    duplicate_of: str | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]
