"""The provider chain every workflow asks through (extraction, classification, parsing):
the providers a setting names, in order, with the rules standing in when none is named;
whether one of them is a model (then the prompt version is resolved and pinned first);
and what each answer cost the run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.invoice.extraction import TokenUsage

# Providers that are models (a chain entry names one as `openai:gpt-5-mini`).
LLM_PROVIDERS = frozenset({"openai", "anthropic", "openai-compatible"})


class Spending(Protocol):
    """What a run has spent on models so far (its state)."""

    tokens_used: int
    cost_micro_usd: int


def provider_chain(setting: str, *, first: Sequence[str] = ()) -> list[str]:
    """The providers of a comma-separated setting, in order, after any that go `first`;
    the rules when none is named."""
    chain = [*first, *(p.strip() for p in setting.split(",") if p.strip())]
    return chain or ["rules"]


def asks_a_model(chain: Iterable[str]) -> bool:
    return any(provider.split(":", 1)[0] in LLM_PROVIDERS for provider in chain)


def add_usage(state: Spending, usage: TokenUsage) -> int:
    """An answer's tokens and cost, added to the run's; returns its tokens."""
    tokens = usage.input_tokens + usage.output_tokens
    state.tokens_used += tokens
    state.cost_micro_usd += usage.cost_micro_usd
    return tokens


def count_usage(provider: str, usage: TokenUsage) -> None:
    """The worker's token and cost metrics (not recorded on replay, never double counted)."""
    tokens = usage.input_tokens + usage.output_tokens
    if tokens:
        meter = workflow.metric_meter()
        meter.create_counter("vouchflow_llm_tokens").add(tokens, {"provider": provider})
        meter.create_counter("vouchflow_llm_cost_micro_usd").add(
            usage.cost_micro_usd, {"provider": provider}
        )
