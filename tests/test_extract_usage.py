"""`extract --json` with a model shows each call's tokens and cost, and the total,
as the workflow records them (integer micro-USD, with a decimal USD string)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.invoice_texts import TextInvoice
from tests.test_llm_workflow import answer_for
from vouchflow.cli.app import main
from vouchflow.cli.local_extract import usd
from vouchflow.testing.fakes import FakeOpenAI, Reply


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


@pytest.fixture
def model_env(
    fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FakeOpenAI:
    for name in list(os.environ):
        if name.startswith("VOUCHFLOW_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VOUCHFLOW_EXTRACTOR", "openai:gpt-5-mini")
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    return fake_openai


def _extract(tmp_path: Path, invoice: TextInvoice, capsys: pytest.CaptureFixture[str]) -> dict:
    path = tmp_path / "invoice.txt"
    path.write_bytes(invoice.bytes())
    assert main(["extract", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_extract_json_shows_usage_and_cost_per_attempt_and_in_total(
    model_env: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = TextInvoice(number="USE-1")
    model_env.script(
        # First answer breaks the contract (date format), the repair is valid.
        Reply.json(
            answer_for(invoice, issue_date="01/10/2026"),
            input_tokens=1000,
            output_tokens=200,
            cached_tokens=400,
        ),
        Reply.json(answer_for(invoice), input_tokens=2000, output_tokens=100),
    )
    out = _extract(tmp_path, invoice, capsys)
    usage = out["usage"]
    assert usage["model"] == "gpt-5-mini"
    attempts = usage["attempts"]
    assert [(a["attempt"], a["ok"]) for a in attempts] == [(1, False), (2, True)]
    assert attempts[0]["errors"]
    # gpt-5-mini: 600 x 0.25 + 400 x 0.025 + 200 x 2 micro-USD; then 2000 x 0.25 + 100 x 2.
    assert [(a["input_tokens"], a["output_tokens"], a["cached_tokens"]) for a in attempts] == [
        (1000, 200, 400),
        (2000, 100, 0),
    ]
    assert [a["cost_micro_usd"] for a in attempts] == [560, 700]
    assert [a["cost_usd"] for a in attempts] == ["0.000560", "0.000700"]
    total = usage["total"]
    assert total["tokens"] == 3300  # what the workflow adds to `tokens_used`
    assert total["cost_micro_usd"] == 1260 and total["cost_usd"] == "0.001260"
    assert out["invoice"]["invoice_number"] == "USE-1"
    assert len(model_env.requests) == 2


def test_extract_json_without_a_model_costs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("VOUCHFLOW_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(tmp_path / "home"))
    out = _extract(tmp_path, TextInvoice(number="USE-2"), capsys)
    assert out["usage"]["attempts"] == []
    assert out["usage"]["total"]["cost_micro_usd"] == 0
    assert out["usage"]["total"]["cost_usd"] == "0.000000"


def test_usd_formats_integer_micro_dollars_without_floats() -> None:
    assert usd(0) == "0.000000"
    assert usd(1) == "0.000001"
    assert usd(12_345_678) == "12.345678"
    assert usd(-5) == "-0.000005"
    assert usd(10**20 + 1) == "100000000000000.000001"
