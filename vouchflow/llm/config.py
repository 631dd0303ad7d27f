"""The `[llm]` section of vouchflow.toml: prices, budgets, caps and timeouts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vouchflow.settings import Settings
from vouchflow.settings.config import Duration


class ModelPrice(BaseModel):
    """Micro-USD (1e-6 USD) per million tokens: integers, like all money here."""

    model_config = ConfigDict(extra="forbid")

    input: int = Field(ge=0)
    output: int = Field(ge=0)
    # Cache reads are billed at a discount; absent = same as input (never under-count).
    cached_input: int | None = Field(default=None, ge=0)
    # Anthropic bills cache writes above the input rate; absent = 1.25 x input.
    cache_write: int | None = Field(default=None, ge=0)


class LlmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout: Duration = dt.timedelta(seconds=60)
    max_output_tokens: int = Field(default=4096, gt=0)
    # Documents longer than this are cut before they reach a model (recorded on the result).
    max_input_chars: int = Field(default=60_000, gt=0)
    # Total tokens (input + output, all attempts) one workflow may spend on models.
    token_budget_per_workflow: int = Field(default=200_000, gt=0)
    # Rough chars-per-token used to estimate a call before making it.
    chars_per_token: int = Field(default=3, gt=0)
    # Consecutive retryable failures that open a provider's circuit, and how long it stays
    # open before one trial call (llm/circuit.py).
    circuit_failures: int = Field(default=5, gt=0)
    circuit_cooldown: Duration = dt.timedelta(seconds=60)
    prompt_name: str = "invoice_extraction"
    prompt_label: str = "production"
    # Model name -> price. `default` prices any model not listed (conservatively).
    prices: dict[str, ModelPrice] = Field(default_factory=dict)

    @property
    def timeout_s(self) -> float:
        return self.timeout.total_seconds()


def llm_settings(settings: Settings) -> LlmSettings:
    """Parse `settings.integrations["llm"]` (absent section = documented defaults)."""
    raw: Any = settings.integrations.get("llm", {})
    return LlmSettings.model_validate(raw)
