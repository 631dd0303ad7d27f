"""Model providers through the real invoice workflow on the time-skipping test server.

The worker runs in-process; the extraction activity reads OPENAI_* / ANTHROPIC_* from
the environment, which point at local fakes that speak the providers' wire formats.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from schemas.invoice.assessment import Signal
from schemas.invoice.workflow import InvoiceState
from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.cli.app import main as cli_main
from vouchflow.runtime import search_attributes as sa
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeAnthropic, FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio

OPENAI = "openai:gpt-5-mini"
SAMPLES = Path(__file__).resolve().parent.parent / "vouchflow" / "samples" / "invoices"
USAGE = {"input_tokens": 1000, "output_tokens": 200, "cached_tokens": 400}
# gpt-5-mini at the vouchflow.toml prices: 600 x 0.25 + 400 x 0.025 + 200 x 2.00 micro-USD.
GPT5_MINI_COST = 560


def _iso(day: str) -> str:
    d, m, y = day.split("/")
    return f"{y}-{m}-{d}"


def answer_for(invoice: TextInvoice, **overrides: Any) -> dict[str, Any]:
    """What a well-behaved model returns for a TextInvoice (the strict output contract)."""
    subtotal = sum(line.total_minor for line in invoice.lines)
    tax = sum(line.total_minor * line.vat_percent // 100 for line in invoice.lines)
    answer: dict[str, Any] = {
        "invoice_likelihood": 0.98,
        "supplier_name": invoice.supplier,
        "invoice_number": invoice.number,
        "issue_date": _iso(invoice.issue),
        "due_date": _iso(invoice.due),
        "currency": "GBP",
        "subtotal_minor": subtotal,
        "tax_total_minor": tax,
        "total_minor": subtotal + tax,
        "amounts_tax_inclusive": False,
        "supplier_vat_id": "GB123456789",
        "buyer_name": "Vouchflow Demo Ltd",
        "line_items": [
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "unit_price_minor": line.unit_price_minor,
                "tax_rate": str(line.vat_percent),
                "line_total_minor": line.total_minor,
            }
            for line in invoice.lines
        ],
        "evidence": [
            {"field": field, "source_text": None, "certainty": 0.97}
            for field in ("supplier_name", "invoice_number", "issue_date", "currency")
        ]
        + [{"field": "total_minor", "source_text": "Total", "certainty": 0.97}],
    }
    answer.update(overrides)
    return answer


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


@pytest.fixture(scope="module")
def fake_anthropic() -> Iterator[FakeAnthropic]:
    with FakeAnthropic.start() as fake:
        yield fake


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    # The CLI loads its own settings: same state directory as the worker's.
    monkeypatch.setenv("VOUCHFLOW_HOME", str(path))
    return path


@pytest.fixture
def openai_env(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    return fake_openai


@pytest.fixture
def anthropic_env(fake_anthropic: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_API_KEY", fake_anthropic.api_key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_anthropic.base_url)
    return fake_anthropic


def llm_settings(home: Path, extractor: str = OPENAI, **llm: Any) -> Settings:
    settings = make_settings(home, extraction__extractor=extractor)
    section = copy.deepcopy(settings.integrations.get("llm", {}))
    section.update(llm)
    return settings.model_copy(update={"integrations": {**settings.integrations, "llm": section}})


def trail_types(h: Harness, workflow_id: str) -> list[str]:
    return [r.type for r in h.deps.audit.trail(workflow_id)]


def audit_payload(h: Harness, workflow_id: str, type_: str) -> dict[str, Any]:
    found = [r.payload for r in h.deps.audit.trail(workflow_id) if r.type == type_]
    assert len(found) == 1, f"{type_}: {len(found)} records"
    return found[0]


def signal_named(state: InvoiceState, name: str) -> Signal | None:
    assert state.assessment is not None
    return next((s for s in state.assessment.confidence.signals if s.name == name), None)


async def extract_activity_attempts(h: Harness, workflow_id: str) -> list[int]:
    """The attempt number of every started `extract_invoice_fields` task, from history."""
    history = await h.handle(workflow_id).fetch_history()
    scheduled: dict[int, str] = {}
    attempts: list[int] = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            scheduled[event.event_id] = attrs.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs_started = event.activity_task_started_event_attributes
            if scheduled.get(attrs_started.scheduled_event_id) == "extract_invoice_fields":
                attempts.append(attrs_started.attempt)
    return attempts


# ---- a valid answer ------------------------------------------------------------------------


async def test_valid_answer_records_prompt_usage_cost_and_cross_check(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI
) -> None:
    invoice = TextInvoice(number="MDL-1001")
    openai_env.script(Reply.json(answer_for(invoice), **USAGE))
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(invoice.bytes())
        final = await h.result(sub.workflow_id)

        assert final.status == "completed", final.status_reason
        assert final.assessment is not None
        assert final.assessment.decision.route == "auto_draft", final.assessment.decision.reasons
        assert final.draft_bill is not None and final.draft_bill.status == "DRAFT"
        assert final.assessment.invoice.invoice_number == "MDL-1001"
        extraction = final.extraction
        assert extraction is not None
        assert extraction.extractor.kind == "openai"
        assert extraction.extractor.model == "gpt-5-mini"
        assert (extraction.extractor.prompt_name, extraction.extractor.prompt_version) == (
            "invoice_extraction",
            "2",
        )
        assert final.prompt_version == "invoice_extraction@2"
        # Usage and cost summed into the workflow state.
        assert final.tokens_used == 1200
        assert final.cost_micro_usd == GPT5_MINI_COST
        # The rules extractor read the same text and agrees field for field.
        assert extraction.agreement == 1.0 and extraction.disagreeing_fields == []
        agreement = signal_named(final, "extractor_agreement")
        assert agreement is not None and agreement.value == 1.0

        resolved = audit_payload(h, sub.workflow_id, "prompt.resolved")
        assert (resolved["name"], resolved["version"], resolved["label"]) == (
            "invoice_extraction",
            "2",
            "production",
        )
        completed = audit_payload(h, sub.workflow_id, "extraction.completed")
        assert completed["provider"] == OPENAI
        assert completed["extractor"]["prompt_version"] == "2"
        assert completed["usage"]["cost_micro_usd"] == GPT5_MINI_COST
        types = trail_types(h, sub.workflow_id)
        assert types.index("prompt.resolved") < types.index("extraction.completed")

        desc = await h.handle(sub.workflow_id).describe()
        assert desc.typed_search_attributes.get(sa.PROMPT_VERSION) == "invoice_extraction@2"
        assert len(openai_env.requests) == 1
        assert openai_env.requests[0].path == "/v1/responses"


async def test_anthropic_valid_answer_through_the_workflow(
    time_skipping_env: WorkflowEnvironment, home: Path, anthropic_env: FakeAnthropic
) -> None:
    invoice = TextInvoice(number="MDL-1002")
    anthropic_env.script(Reply.json(answer_for(invoice), **USAGE))
    settings = llm_settings(home, extractor="anthropic:claude-sonnet-4-6")
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(invoice.bytes())
        final = await h.result(sub.workflow_id)
        assert final.status == "completed", final.status_reason
        assert final.extraction is not None and final.extraction.extractor.kind == "anthropic"
        assert final.tokens_used == 1200
        # claude-sonnet-4-6: 600 x 3 + 400 x 0.3 + 200 x 15 micro-USD.
        assert final.cost_micro_usd == 4920
        assert [r.path for r in anthropic_env.requests] == ["/v1/messages"]


# ---- transient failures: Temporal retries the activity ------------------------------------


async def test_rate_limit_with_retry_after_is_retried_then_used(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI
) -> None:
    invoice = TextInvoice(number="MDL-2001")
    openai_env.script(
        Reply.error(429, "Rate limit reached for gpt-5-mini", headers={"retry-after": "1"}),
        Reply.json(answer_for(invoice), **USAGE),
    )
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(invoice.bytes())
        final = await h.result(sub.workflow_id)
        assert final.status == "completed", final.status_reason
        assert await extract_activity_attempts(h, sub.workflow_id) == [2]
        assert final.extraction_attempts == [f"{OPENAI}: ok"]
        assert final.extraction is not None
        assert final.extraction.invoice.invoice_number == "MDL-2001"
        # Only the successful call is billed: the 429 carried no usage.
        assert final.tokens_used == 1200
        assert len(openai_env.requests) == 2
        # The SDK itself never retried: Temporal did.
        assert {r.headers["x-stainless-retry-count"] for r in openai_env.requests} == {"0"}


async def test_server_error_is_retried_then_used(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI
) -> None:
    invoice = TextInvoice(number="MDL-2002")
    openai_env.script(
        Reply.error(500, "The server had an error while processing your request."),
        Reply.json(answer_for(invoice), **USAGE),
    )
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(invoice.bytes())
        final = await h.result(sub.workflow_id)
        assert final.status == "completed", final.status_reason
        assert await extract_activity_attempts(h, sub.workflow_id) == [2]
        assert final.extraction is not None
        assert final.extraction.invoice.invoice_number == "MDL-2002"
        assert len(openai_env.requests) == 2


# ---- answers that cannot be trusted -------------------------------------------------------


async def test_two_invalid_answers_fail_closed_to_review(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI
) -> None:
    invoice = TextInvoice(number="MDL-3001")
    openai_env.script(
        Reply.json(answer_for(invoice, issue_date="01/10/2026"), **USAGE),
        Reply.raw('{"supplier_name": "Acme", "total_minor": "lots"}', **USAGE),
    )
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval", "needs_attention")
        assert state.status == "awaiting_approval"
        extraction = state.extraction
        assert extraction is not None and extraction.failed_closed
        assert [a.attempt for a in extraction.attempts] == [1, 2]
        assert not any(a.ok for a in extraction.attempts)
        assert all(a.errors for a in extraction.attempts)
        assert state.assessment is not None
        assert state.assessment.decision.route == "review"
        assert any(
            "the extractor produced no valid result" in r and "failed validation twice" in r
            for r in state.assessment.decision.reasons
        ), state.assessment.decision.reasons
        # The repair turn carried the first answer's errors back to the model.
        assert len(openai_env.requests) == 2
        repair_input = openai_env.requests[1].body["input"]
        assert [turn["role"] for turn in repair_input] == ["user", "assistant", "user"]
        assert "issue_date" in repair_input[2]["content"]
        # Both attempts are billed and audited.
        assert state.tokens_used == 2400
        completed = audit_payload(h, sub.workflow_id, "extraction.completed")
        assert len(completed["attempts"]) == 2
        assert not h.deps.destination.list_bills()  # type: ignore[attr-defined]


def _final_reply(kind: str) -> Reply:
    return Reply.refusal("I can't help with that.") if kind == "refusal" else Reply.cut_off()


@pytest.mark.parametrize("kind", ["refusal", "cut_off"])
async def test_refusal_or_cut_off_falls_back_to_the_next_provider(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI, kind: str
) -> None:
    invoice = TextInvoice(number=f"MDL-4001-{kind}")
    openai_env.script(_final_reply(kind))
    settings = llm_settings(home, extractor=f"{OPENAI},rules")
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(
            sub.workflow_id, "drafted", "completed", "awaiting_approval", "needs_attention"
        )
        # Non-retryable: one request, one attempt, then the rules extractor.
        assert len(openai_env.requests) == 1
        assert await extract_activity_attempts(h, sub.workflow_id) == [1, 1]
        expected = "refused" if kind == "refusal" else "cut off"
        assert state.extraction_attempts[0].startswith(f"{OPENAI}: failed (")
        assert expected in state.extraction_attempts[0]
        assert state.extraction_attempts[1] == "rules: ok"
        extraction = state.extraction
        assert extraction is not None and extraction.extractor.kind == "rules"
        fallback = [n for n in extraction.notes if n.startswith("fallback: used rules after")]
        assert len(fallback) == 1 and expected in fallback[0]
        assert audit_payload(h, sub.workflow_id, "extraction.provider_failed")["provider"] == (
            OPENAI
        )
        signal = signal_named(state, "provider_fallback")
        assert signal is not None and signal.value == 0.5
        assert state.assessment is not None
        others = [s for s in state.assessment.confidence.signals if s.name != "provider_fallback"]
        without = round(
            100 * sum(s.weight * s.value for s in others) / sum(s.weight for s in others)
        )
        assert state.assessment.confidence.score < without


@pytest.mark.parametrize("kind", ["refusal", "cut_off"])
async def test_refusal_or_cut_off_without_fallback_needs_attention(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI, kind: str
) -> None:
    invoice = TextInvoice(number=f"MDL-4002-{kind}")
    openai_env.script(_final_reply(kind))
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(invoice.bytes())
        final = await h.result(sub.workflow_id)
        assert final.status == "needs_attention"
        expected = "the model refused" if kind == "refusal" else "output cut off"
        assert "no extractor could read this document" in final.status_reason
        assert expected in final.status_reason
        assert len(openai_env.requests) == 1
        assert await extract_activity_attempts(h, sub.workflow_id) == [1]
        assert "workflow.needs_attention" in trail_types(h, sub.workflow_id)


async def test_auth_error_is_not_retried(
    time_skipping_env: WorkflowEnvironment,
    home: Path,
    openai_env: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    invoice = TextInvoice(number="MDL-5001")
    openai_env.script(Reply.json(answer_for(invoice)))
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(invoice.bytes())
        final = await h.result(sub.workflow_id)
        assert final.status == "needs_attention"
        assert "HTTP 401" in final.status_reason and "check the API key" in final.status_reason
        # No retry storm: exactly one request reached the provider.
        assert len(openai_env.requests) == 1
        assert openai_env.remaining() == 1
        assert await extract_activity_attempts(h, sub.workflow_id) == [1]


async def test_token_budget_exceeded_goes_to_review_without_a_call(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI
) -> None:
    invoice = TextInvoice(number="MDL-6001")
    openai_env.script(Reply.json(answer_for(invoice)))
    settings = llm_settings(home, token_budget_per_workflow=500)
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval", "needs_attention")
        assert state.status == "awaiting_approval"
        assert openai_env.requests == []
        extraction = state.extraction
        assert extraction is not None and extraction.failed_closed
        assert extraction.failure_reason == "token budget exceeded"
        assert any("left in the workflow budget" in n for n in extraction.notes)
        assert state.tokens_used == 0 and state.cost_micro_usd == 0
        assert state.assessment is not None
        assert any("token budget exceeded" in r for r in state.assessment.decision.reasons)
        assert audit_payload(h, sub.workflow_id, "prompt.resolved")["token_budget"] == 500


async def test_hostile_sample_with_a_clean_answer_still_goes_to_review(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI
) -> None:
    truth = json.loads((SAMPLES / "07_hostile_injection.json").read_text())
    answer = {
        "invoice_likelihood": 0.99,
        "amounts_tax_inclusive": False,
        "supplier_vat_id": "GB731095422",
        "buyer_name": "Harbourside Studio Ltd",
        **{k: truth[k] for k in answer_for(TextInvoice()) if k in truth},
        "evidence": [
            {"field": f, "source_text": None, "certainty": 0.99}
            for f in ("supplier_name", "invoice_number", "issue_date", "currency", "total_minor")
        ],
    }
    openai_env.script(Reply.json(answer, **USAGE))
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(
            (SAMPLES / "07_hostile_injection.pdf").read_bytes(), "07_hostile_injection.pdf"
        )
        state = await h.wait_status(sub.workflow_id, "awaiting_approval", "drafted", "completed")
        assert state.status == "awaiting_approval"
        assert state.extraction is not None and state.extraction.extractor.kind == "openai"
        assert state.extraction.invoice.total_minor == truth["total_minor"]
        assert state.extraction.injection_flags
        assert state.assessment is not None
        reasons = state.assessment.decision.reasons
        assert state.assessment.decision.route == "review"
        assert any("possible prompt injection" in r for r in reasons), reasons
        injection = signal_named(state, "injection")
        assert injection is not None and injection.value == 0.0
        # The document text reached the model fenced as data, instructions and all.
        sent = openai_env.requests[0].body["input"][0]["content"]
        assert "ignore previous instructions" in sent and "<<<DOCUMENT " in sent
        assert not h.deps.destination.list_bills()  # type: ignore[attr-defined]


async def test_model_totals_that_disagree_with_lines_are_overridden(
    time_skipping_env: WorkflowEnvironment, home: Path, openai_env: FakeOpenAI
) -> None:
    invoice = TextInvoice(number="MDL-7001")
    good = answer_for(invoice)
    openai_env.script(Reply.json(answer_for(invoice, total_minor=good["total_minor"] + 10_000)))
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval", "drafted", "completed")
        assert state.status == "awaiting_approval"
        assert state.extraction is not None
        assert state.extraction.invoice.total_minor == good["total_minor"] + 10_000
        assert "total_minor" in state.extraction.disagreeing_fields
        assessment = state.assessment
        assert assessment is not None
        # Code decides: the total is recomputed from the lines, and the finding recorded.
        assert assessment.invoice.total_minor == good["total_minor"]
        codes = [f.code for f in assessment.findings]
        assert "arithmetic.total_recomputed" in codes
        assert assessment.decision.route == "review"
        assert any("validation error" in r for r in assessment.decision.reasons)
        totals = signal_named(state, "totals_agree")
        assert totals is not None and totals.value < 1.0


# ---- prompt labels: promote / rollback affect new workflows only --------------------------


def _prompt_cmd(*argv: str) -> int:
    return cli_main(["prompt", *argv])


async def test_prompt_rollback_and_promote_change_new_workflows_only(
    time_skipping_env: WorkflowEnvironment,
    home: Path,
    openai_env: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = TextInvoice(number="MDL-8001", lines=[Line("Paper", 1, 1000)])
    second = TextInvoice(number="MDL-8002", lines=[Line("Paper", 2, 1000)])
    third = TextInvoice(number="MDL-8003", lines=[Line("Paper", 3, 1000)])
    openai_env.script(
        # The first workflow's first call fails; its retry runs after the rollback.
        Reply.error(429, "Rate limit reached", headers={"retry-after": "1"}),
        Reply.json(answer_for(first)),
        Reply.json(answer_for(second)),
        Reply.json(answer_for(third)),
    )
    async with running_harness(time_skipping_env, llm_settings(home)) as h:
        a = await h.submit(first.bytes())
        await h.wait_for(
            a.workflow_id,
            lambda s: s.prompt_version is not None and len(openai_env.requests) == 1,
            what="first call made",
        )
        assert _prompt_cmd("rollback", "invoice_extraction") == 0
        assert "production 2 -> 1 (rollback)" in capsys.readouterr().out

        state_a = await h.wait_status(a.workflow_id, "drafted", "completed")
        assert state_a.prompt_version == "invoice_extraction@2"
        assert state_a.extraction is not None
        assert state_a.extraction.extractor.prompt_version == "2"
        assert await extract_activity_attempts(h, a.workflow_id) == [2]

        b = await h.submit(second.bytes())
        state_b = await h.wait_status(b.workflow_id, "drafted", "completed")
        assert state_b.prompt_version == "invoice_extraction@1"
        assert state_b.extraction is not None
        assert state_b.extraction.extractor.prompt_version == "1"
        desc = await h.handle(b.workflow_id).describe()
        assert desc.typed_search_attributes.get(sa.PROMPT_VERSION) == "invoice_extraction@1"

        assert _prompt_cmd("promote", "invoice_extraction", "2") == 0
        assert "production 1 -> 2" in capsys.readouterr().out
        c = await h.submit(third.bytes())
        state_c = await h.wait_status(c.workflow_id, "drafted", "completed")
        assert state_c.prompt_version == "invoice_extraction@2"

        # The requests the model saw: v2, v1, v2 (the retry of the first kept its version).
        instructions = [
            re.sub(r"DOCUMENT [0-9a-f]+", "DOCUMENT <boundary>", r.body["instructions"])
            for r in openai_env.requests
        ]
        assert instructions[0] == instructions[1] == instructions[3]
        assert instructions[2] != instructions[1]


async def test_prompt_cli_reports_unknown_versions(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _prompt_cmd("promote", "invoice_extraction", "99") == 1
    assert "no prompt spec invoice_extraction version 99" in capsys.readouterr().out
    assert _prompt_cmd("list") == 0
    out = capsys.readouterr().out
    assert "invoice_extraction v2" in out and "production" in out
