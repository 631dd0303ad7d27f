"""Pure pieces of the model layer: config, chains, pricing, errors, output checks."""

from __future__ import annotations

import copy
import datetime as dt
import email.utils
import json
from pathlib import Path

import pytest

from schemas.invoice.invoice import Invoice
from vouchflow.invoice.extraction.factory import ConfigError, check_extractor_config, parse_chain
from vouchflow.llm.config import LlmSettings, ModelPrice, llm_settings
from vouchflow.llm.crosscheck import compare_invoices
from vouchflow.llm.output import parse_output
from vouchflow.llm.pricing import cost_micro_usd, price_for
from vouchflow.retry_after import parse_retry_after
from vouchflow.settings import Settings, load_settings

VALID = {
    "invoice_likelihood": 1.0,
    "supplier_name": "Acme",
    "invoice_number": "7",
    "issue_date": "2024-01-31",
    "due_date": None,
    "currency": "eur",
    "subtotal_minor": 1000,
    "tax_total_minor": 200,
    "total_minor": 1200,
    "amounts_tax_inclusive": False,
    "supplier_vat_id": None,
    "buyer_name": None,
    "line_items": [
        {
            "description": "x",
            "quantity": "1.5",
            "unit_price_minor": None,
            "tax_rate": "20",
            "line_total_minor": 1000,
        }
    ],
    "evidence": [{"field": "total_minor", "source_text": "12.00", "certainty": 1.0}],
}


def test_parse_chain() -> None:
    assert parse_chain(" openai:gpt-5-mini , anthropic:claude-sonnet-4-6,rules") == [
        "openai:gpt-5-mini",
        "anthropic:claude-sonnet-4-6",
        "rules",
    ]
    for bad in ("openai", "openai:", "gpt:x", "rules,,openai:x", "rules,rules", "rules:x"):
        with pytest.raises(ConfigError):
            parse_chain(bad)


def test_check_extractor_config_names_the_missing_variable(tmp_path: Path) -> None:
    def settings_for(spec: str) -> Settings:
        return load_settings(env={"VOUCHFLOW_HOME": str(tmp_path), "VOUCHFLOW_EXTRACTOR": spec})

    check_extractor_config(settings_for("rules"), env={})
    with pytest.raises(ConfigError, match=r"VOUCHFLOW_EXTRACTOR=openai:gpt-x .*OPENAI_API_KEY"):
        check_extractor_config(settings_for("openai:gpt-x"), env={})
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        check_extractor_config(
            settings_for("openai:gpt-x,anthropic:claude-haiku-4-5,rules"),
            env={"OPENAI_API_KEY": "k"},
        )
    with pytest.raises(ConfigError, match="OPENAI_BASE_URL"):
        check_extractor_config(settings_for("openai-compatible:llama3"), env={})
    check_extractor_config(
        settings_for("openai:gpt-x,anthropic:claude-haiku-4-5,openai-compatible:m,rules"),
        env={"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "OPENAI_BASE_URL": "http://h/v1"},
    )
    broken = settings_for("openai:gpt-x")
    broken.integrations["llm"] = {**copy.deepcopy(broken.integrations["llm"]), "prompt_label": "x"}
    with pytest.raises(ConfigError, match="no label 'x'"):
        check_extractor_config(broken, env={"OPENAI_API_KEY": "k"})


def test_committed_llm_section_parses() -> None:
    cfg = llm_settings(load_settings(env={}))
    assert cfg.timeout_s > 0 and cfg.token_budget_per_workflow > 0
    assert "default" in cfg.prices and "gpt-5-mini" in cfg.prices


def test_price_lookup_and_integer_cost() -> None:
    cfg = LlmSettings(
        prices={
            "gpt-5": ModelPrice(input=1_250_000, output=10_000_000),
            "gpt-5-mini": ModelPrice(input=250_000, cached_input=25_000, output=2_000_000),
            "default": ModelPrice(input=9, output=9),
        }
    )
    assert price_for("gpt-5-mini-2025-08-07", cfg)[1] == "gpt-5-mini"
    assert price_for("gpt-5.4-mini", cfg)[1] == "default"
    assert price_for("gpt-5-mini", LlmSettings())[1] is None
    price = cfg.prices["gpt-5-mini"]
    assert cost_micro_usd(price, input_tokens=1000, output_tokens=200, cached_tokens=400) == 560
    # Rounded up: one token at 0.25 micro-USD still costs 1 micro-USD.
    assert cost_micro_usd(price, input_tokens=1, output_tokens=0) == 1
    # Cache writes default to 1.25 x input.
    assert (
        cost_micro_usd(
            ModelPrice(input=4_000_000, output=0),
            input_tokens=10,
            output_tokens=0,
            cache_write_tokens=10,
        )
        == 50
    )


def test_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    parsed = parse_retry_after({"retry-after": email.utils.format_datetime(later)})
    assert parsed is not None and 100 < parsed <= 120
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_output_validation() -> None:
    parsed, errors = parse_output(json.dumps(VALID))
    assert errors == [] and parsed is not None
    assert parsed.invoice.currency == "EUR"
    assert str(parsed.invoice.line_items[0].quantity) == "1.5"
    assert parsed.evidence[0].value == "1200"

    def errors_for(**change: object) -> list[str]:
        return parse_output(json.dumps({**VALID, **change}))[1]

    assert any("issue_date" in e for e in errors_for(issue_date="31/01/2024"))
    assert any("currency" in e for e in errors_for(currency="euro"))
    assert any("total_minor" in e for e in errors_for(total_minor=12.5))
    assert any("extra" in e.lower() for e in errors_for(notes="hi"))
    bad_line = [{**VALID["line_items"][0], "quantity": "one"}]  # type: ignore[index]
    assert any("quantity" in e for e in errors_for(line_items=bad_line))
    assert any(
        "certainty" in e
        for e in errors_for(evidence=[{"field": "x", "source_text": None, "certainty": 3}])
    )
    assert parse_output("")[1][0].startswith("output is not valid JSON")


def test_compare_invoices() -> None:
    model = Invoice(
        supplier_name="ACME Ltd.", invoice_number="A-1", total_minor=100, currency="EUR"
    )
    rules = Invoice(supplier_name="Acme Ltd", invoice_number="A-2", total_minor=100, due_date=None)
    assert compare_invoices(model, rules) == (2 / 3, ["invoice_number"])
    assert compare_invoices(Invoice(), rules) == (None, [])
