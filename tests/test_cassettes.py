"""Recorded model answers: record through the real SDKs against the local fakes, replay
offline, and a workflow that runs its prompt against a shipped cassette."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.conftest import make_settings
from tests.harness import running_harness
from vouchflow.evals.models import InvoiceInput
from vouchflow.evals.suites import PACKAGED_CASSETTES, PACKAGED_SUITES
from vouchflow.evals.yaml_files import read_cases
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.llm.cassettes import (
    CASSETTE_DIR_ENV,
    CASSETTE_ENV,
    CassetteError,
    configured_cassette,
    request_key,
    use_cassette,
)
from vouchflow.llm.output import StrictInvoiceOutput
from vouchflow.llm.providers import CallSettings, Conversation, Turn, complete_with
from vouchflow.testing.fakes import FakeAnthropic, FakeOpenAI, Reply

ANSWER = {
    "invoice_likelihood": 0.97,
    "supplier_name": "Acme Office Supplies Ltd",
    "invoice_number": "CAS-1",
    "issue_date": "2026-09-01",
    "due_date": None,
    "currency": "GBP",
    "subtotal_minor": 1000,
    "tax_total_minor": 200,
    "total_minor": 1200,
    "amounts_tax_inclusive": False,
    "supplier_vat_id": None,
    "buyer_name": None,
    "line_items": [],
    "evidence": [],
}


def _conversation(text: str = "Invoice CAS-1, total 12.00 GBP") -> Conversation:
    return Conversation(system="Extract the invoice.", turns=[Turn(role="user", content=text)])


def _call(fake: FakeOpenAI | FakeAnthropic, model: str) -> CallSettings:
    return CallSettings(
        model=model,
        max_output_tokens=512,
        timeout_s=10,
        api_key=fake.api_key,
        base_url=fake.base_url,
    )


@pytest.mark.parametrize(
    ("fake_type", "kind", "model"),
    [(FakeOpenAI, "openai", "gpt-5-mini"), (FakeAnthropic, "anthropic", "claude-sonnet-4-5")],
)
async def test_record_then_replay_offline_with_both_sdks(
    tmp_path: Path, fake_type: type[FakeOpenAI] | type[FakeAnthropic], kind: str, model: str
) -> None:
    cassettes = tmp_path / "cassettes"
    with fake_type.start() as fake:
        fake.script(Reply.json(ANSWER))
        call = _call(fake, model)
        with use_cassette("record", cassettes):
            recorded = await complete_with(kind, _conversation(), call)
        assert len(fake.requests) == 1
    # One file per request; the API key (a header) is never stored.
    files = list(cassettes.glob("*.json"))
    assert len(files) == 1
    stored = files[0].read_text(encoding="utf-8")
    assert fake.api_key not in stored and "authorization" not in stored.lower()
    assert json.loads(stored)["request"]["body"]["model"] == model

    # The fake is gone: replay answers the same request from the file, no network.
    with use_cassette("replay", cassettes):
        replayed = await complete_with(kind, _conversation(), call)
    assert json.loads(replayed.text) == json.loads(recorded.text) == ANSWER
    assert (replayed.input_tokens, replayed.output_tokens) == (
        recorded.input_tokens,
        recorded.output_tokens,
    )

    # Another prompt was never recorded: a non-retryable error that says what to do.
    with use_cassette("replay", cassettes), pytest.raises(ExtractionError) as err:
        await complete_with(kind, _conversation("a different invoice"), call)
    assert not err.value.retryable
    assert "no recorded answer" in str(err.value)


async def test_errors_are_passed_through_and_never_recorded(tmp_path: Path) -> None:
    with FakeOpenAI.start() as fake:
        fake.script(Reply.error(500, "upstream down"), Reply.json(ANSWER))
        call = _call(fake, "gpt-5-mini")
        with use_cassette("record", tmp_path):
            with pytest.raises(ExtractionError) as err:
                await complete_with("openai", _conversation(), call)
            assert err.value.retryable
            assert _recorded(tmp_path) == 0
            await complete_with("openai", _conversation(), call)
    assert _recorded(tmp_path) == 1


def _recorded(directory: Path) -> int:
    return len(list(directory.glob("*.json")))


def test_key_is_method_path_and_body_without_volatile_fields() -> None:
    body = {"model": "m", "input": "x", "metadata": {"run": "1"}, "user": "u-1"}
    same = {"model": "m", "input": "x", "metadata": {"run": "2"}}
    key = request_key("POST", "/v1/responses", json.dumps(body).encode())
    assert key == request_key("post", "/v1/responses", json.dumps(same).encode())
    assert key != request_key("POST", "/v1/messages", json.dumps(body).encode())
    changed = {**body, "input": "y"}
    assert key != request_key("POST", "/v1/responses", json.dumps(changed).encode())


def test_configured_from_the_environment(tmp_path: Path) -> None:
    assert configured_cassette({}) is None
    found = configured_cassette({CASSETTE_ENV: "replay", CASSETTE_DIR_ENV: str(tmp_path)})
    assert found is not None and found.mode == "replay" and found.directory == tmp_path
    home = configured_cassette({CASSETTE_ENV: "record", "VOUCHFLOW_HOME": str(tmp_path)})
    assert home is not None and home.directory == tmp_path / "cassettes"
    with pytest.raises(CassetteError):
        configured_cassette({CASSETTE_ENV: "sometimes"})


def test_strict_output_schema_is_what_was_recorded() -> None:
    """The shipped cassettes answer in the strict output contract the workflow parses."""
    files = sorted((PACKAGED_CASSETTES / "invoice_extraction" / "v2").glob("*.json"))
    assert files, "no shipped cassettes for invoice_extraction v2"
    body = json.loads(files[0].read_text(encoding="utf-8"))["body"]
    text = body["output"][0]["content"][0]["text"]
    StrictInvoiceOutput.model_validate_json(text)


async def test_invoice_workflow_runs_its_prompt_against_a_shipped_cassette(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real workflow, openai extractor, production prompt (v2), no model server at all:
    the answer comes from the cassette recorded for that exact prompt and document."""
    case = next(
        c
        for c in read_cases(PACKAGED_SUITES / "invoice_extraction" / "golden.yaml")
        if c["name"] == "acme-desk-lamps"
    )
    document = InvoiceInput.model_validate(case["inputs"])
    monkeypatch.setenv(CASSETTE_ENV, "replay")
    monkeypatch.setenv(CASSETTE_DIR_ENV, str(PACKAGED_CASSETTES / "invoice_extraction" / "v2"))
    monkeypatch.setenv("OPENAI_API_KEY", "cassette-replay")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://cassette.invalid/v1")
    settings = make_settings(tmp_path / "home", extraction__extractor="openai:gpt-5-mini")
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(document.text.encode("utf-8"), filename=document.filename)
        state = await h.wait_status(
            sub.workflow_id, "drafted", "completed", "awaiting_approval", "needs_attention"
        )
        extraction = state.extraction
        assert extraction is not None
        assert extraction.extractor.kind == "openai", state.extraction_attempts
        assert extraction.extractor.prompt_version == "2"
        assert extraction.attempts and extraction.attempts[0].ok
        assert extraction.invoice.invoice_number == case["expected_output"]["invoice_number"]
        assert extraction.invoice.total_minor == case["expected_output"]["total_minor"]
        await h.terminate_leftovers()
