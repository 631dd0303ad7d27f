"""OpenTelemetry spans for model calls, with the GenAI semantic-convention attributes.

Spans go to whatever TracerProvider the process configured (none = no-op). The worker
sets one up from the standard OTEL_* environment (tracing_setup.py: OTLP, console).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from vouchflow.stores.redact import redact_text

_tracer = trace.get_tracer("vouchflow.llm")


@contextmanager
def genai_span(
    *,
    provider: str,
    model: str,
    operation: str = "chat",
    max_tokens: int | None = None,
    temperature: float | None = None,
    prompt_name: str | None = None,
    prompt_version: str | None = None,
    attempt: int = 1,
) -> Iterator[Span]:
    with _tracer.start_as_current_span(f"{operation} {model}", kind=SpanKind.CLIENT) as span:
        span.set_attribute("gen_ai.operation.name", operation)
        span.set_attribute("gen_ai.provider.name", provider)
        span.set_attribute("gen_ai.system", provider)
        span.set_attribute("gen_ai.request.model", model)
        if max_tokens is not None:
            span.set_attribute("gen_ai.request.max_tokens", max_tokens)
        if temperature is not None:
            span.set_attribute("gen_ai.request.temperature", temperature)
        if prompt_name:
            span.set_attribute("vouchflow.prompt.name", prompt_name)
        if prompt_version:
            span.set_attribute("vouchflow.prompt.version", prompt_version)
        span.set_attribute("vouchflow.llm.attempt", attempt)
        try:
            yield span
        except Exception as err:
            # Not record_exception: provider errors can echo the API key, and spans go
            # to collectors outside this process.
            span.add_event(
                "exception",
                {
                    "exception.type": type(err).__name__,
                    "exception.message": redact_text(str(err)),
                },
            )
            span.set_status(Status(StatusCode.ERROR, type(err).__name__))
            span.set_attribute("error.type", type(err).__name__)
            raise


def record_usage(
    span: Span, *, response_model: str | None, input_tokens: int, output_tokens: int
) -> None:
    if response_model:
        span.set_attribute("gen_ai.response.model", response_model)
    span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
    span.set_attribute("gen_ai.usage.output_tokens", output_tokens)
