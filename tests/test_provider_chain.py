"""The provider chain every workflow asks through (workflows.common.providers): the
providers a setting names, whether one is a model, and what answers cost the run.
Pure, no Temporal."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.invoice.extraction import TokenUsage
from workflows.common.providers import add_usage, asks_a_model, provider_chain


@dataclass
class Spent:
    tokens_used: int = 0
    cost_micro_usd: int = 0


def test_a_setting_names_its_providers_in_order() -> None:
    assert provider_chain(" openai:gpt-5-mini , rules,") == ["openai:gpt-5-mini", "rules"]
    assert provider_chain("anthropic", first=["einvoice"]) == ["einvoice", "anthropic"]


def test_the_rules_stand_in_when_none_is_named() -> None:
    assert provider_chain("") == ["rules"]
    assert provider_chain(" , ") == ["rules"]
    # Something that goes first is a chain of its own: no rules added behind it.
    assert provider_chain("", first=["einvoice"]) == ["einvoice"]


def test_only_a_model_needs_a_prompt() -> None:
    assert asks_a_model(["rules", "openai-compatible:llama3"])
    assert asks_a_model(["anthropic:claude-sonnet"])
    assert not asks_a_model(["einvoice", "rules"])
    # A name that merely contains a provider's name is not that provider.
    assert not asks_a_model(["openai_rules"])


def test_answers_add_their_tokens_and_cost_to_the_run() -> None:
    spent = Spent()
    usage = TokenUsage(input_tokens=1200, output_tokens=80, cost_micro_usd=410)
    assert add_usage(spent, usage) == 1280
    add_usage(spent, TokenUsage(input_tokens=20, output_tokens=0, cost_micro_usd=5))
    assert (spent.tokens_used, spent.cost_micro_usd) == (1300, 415)
