"""What a classifier proposes for a ticket, and which classifier proposed it.

``TicketClassification`` is also the strict output schema given to models: every
field required, no defaults (strict structured outputs ignore them). Confidence is a
probability, not money, so a float is right here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.invoice.extraction import LlmAttempt, TokenUsage

Category = Literal["billing", "bug", "sales", "account", "how_to", "other"]
Urgency = Literal["low", "medium", "high"]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
URGENCIES: tuple[str, ...] = Urgency.__args__  # type: ignore[attr-defined]
MAX_REASON_CHARS = 300
OUTPUT_SCHEMA_NAME = "support_ticket_classification_v1"


class TicketClassification(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category = Field(description="billing, bug, sales, account, how_to or other")
    urgency: Urgency = Field(description="low, medium or high")
    confidence: float = Field(ge=0.0, le=1.0, description="0..1, how sure the classifier is")
    reason: str = Field(max_length=MAX_REASON_CHARS, description="why, in one sentence")


ClassifierKind = Literal["rules", "openai", "anthropic", "openai-compatible", "none"]


class ClassifierInfo(BaseModel):
    """Which classifier decided. `label` is shown wherever the classification is."""

    model_config = ConfigDict(extra="forbid")

    kind: ClassifierKind
    name: str
    label: str
    model: str | None = None
    prompt_name: str | None = None
    prompt_version: str | None = None
    settings: dict[str, str] = Field(default_factory=dict)


class ClassificationResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    classification: TicketClassification
    classifier: ClassifierInfo
    usage: TokenUsage = Field(default_factory=TokenUsage)
    attempts: list[LlmAttempt] = Field(default_factory=list)
    # Instruction-like text found in the ticket (prompt injection): forces review.
    injection_flags: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    # The model's answer could not be validated (twice): a person must classify.
    failed_closed: bool = False
    failure_reason: str | None = None
