"""Token usage -> cost in integer micro-USD, from the configured price table."""

from __future__ import annotations

from schemas.invoice.extraction import TokenUsage
from vouchflow.llm.config import LlmSettings, ModelPrice

_PER = 1_000_000


def price_for(model: str, cfg: LlmSettings) -> tuple[ModelPrice | None, str | None]:
    """Exact name, else the longest listed name + "-suffix" (dated snapshots such as
    gpt-5-mini-2025-08-07), else `default`.

    Returns the price and the table key used (None = unpriced).
    """
    if model in cfg.prices:
        return cfg.prices[model], model
    prefixes = [key for key in cfg.prices if key != "default" and model.startswith(key + "-")]
    if prefixes:
        key = max(prefixes, key=len)
        return cfg.prices[key], key
    if "default" in cfg.prices:
        return cfg.prices["default"], "default"
    return None, None


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def cost_micro_usd(
    price: ModelPrice,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
) -> int:
    """`input_tokens` includes cached and cache-write tokens; rounded up, never under-count."""
    cached_rate = price.input if price.cached_input is None else price.cached_input
    write_rate = price.input * 5 // 4 if price.cache_write is None else price.cache_write
    plain = max(input_tokens - cached_tokens - cache_write_tokens, 0)
    total = (
        plain * price.input
        + cached_tokens * cached_rate
        + cache_write_tokens * write_rate
        + output_tokens * price.output
    )
    return _ceil_div(total, _PER)


def add_usage(a: TokenUsage, b: TokenUsage) -> TokenUsage:
    return TokenUsage(
        input_tokens=a.input_tokens + b.input_tokens,
        output_tokens=a.output_tokens + b.output_tokens,
        cached_tokens=a.cached_tokens + b.cached_tokens,
        cost_micro_usd=a.cost_micro_usd + b.cost_micro_usd,
    )
