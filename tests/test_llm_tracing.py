"""Model calls emit OpenTelemetry spans with the GenAI attributes (and errors marked)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import vouchflow.observability.tracing as tracing
from tests.test_llm_extraction import GOOD, TEXT, USAGE
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.runner import ExtractionRequest, run_extraction
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # A private provider: the process-wide one is left alone for other tests.
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("vouchflow.llm"))
    yield exporter
    provider.shutdown()


async def test_each_attempt_is_a_genai_span(
    spans: InMemorySpanExporter, settings: Settings
) -> None:
    with FakeOpenAI.start() as fake:
        fake.script(Reply.raw("not json"), Reply.json(GOOD, **USAGE))
        env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        request = ExtractionRequest(text=TEXT, filename="a.txt", provider="openai:gpt-5-mini")
        result = await run_extraction(request, settings, env=env)
    assert not result.failed_closed
    finished = spans.get_finished_spans()
    assert [s.name for s in finished] == ["chat gpt-5-mini", "chat gpt-5-mini"]
    first, second = (dict(s.attributes or {}) for s in finished)
    assert first["gen_ai.provider.name"] == "openai"
    assert first["gen_ai.request.model"] == "gpt-5-mini"
    assert first["vouchflow.llm.attempt"] == 1 and second["vouchflow.llm.attempt"] == 2
    assert second["vouchflow.prompt.name"] == "invoice_extraction"
    assert second["gen_ai.usage.input_tokens"] == result.attempts[1].usage.input_tokens
    assert second["gen_ai.usage.output_tokens"] == result.attempts[1].usage.output_tokens


async def test_a_failed_call_is_an_error_span(
    spans: InMemorySpanExporter, settings: Settings
) -> None:
    with FakeOpenAI.start() as fake:
        fake.script(Reply.error(401, "bad key"))
        env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        request = ExtractionRequest(text=TEXT, filename="a.txt", provider="openai:gpt-5-mini")
        with pytest.raises(ExtractionError):
            await run_extraction(request, settings, env=env)
    (span,) = spans.get_finished_spans()
    assert span.status.status_code == trace.StatusCode.ERROR
    assert "error.type" in (span.attributes or {})
