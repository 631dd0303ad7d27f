"""One model turn of the reconciliation agent: the conversation so far and the tools in
the provider's native format, the answer back as tool calls, with tokens and cost.

The same providers, credentials, price table, circuit breaker and tracing as extraction
(vouchflow/llm); transport errors raise ExtractionError with the retry decision.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from schemas.reconciliation.agent import ModelTurnRequest, ModelTurnResult
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.llm.circuit import breaker_for
from vouchflow.llm.config import llm_settings
from vouchflow.llm.pricing import cost_micro_usd, price_for
from vouchflow.llm.providers.base import CallSettings
from vouchflow.llm.structured import provider_credentials
from vouchflow.observability.tracing import genai_span, record_usage
from vouchflow.reconciliation.loop import tool_specs
from vouchflow.reconciliation.providers import TurnRequest, take_turn
from vouchflow.settings import Settings

PROMPT_NAME = "invoice_reconciliation"


async def run_model_turn(
    request: ModelTurnRequest, settings: Settings, env: Mapping[str, str]
) -> ModelTurnResult:
    kind, model = split_provider(request.provider)
    if model is None:
        raise ExtractionError(f"{request.provider!r} is not a model provider", retryable=False)
    llm = llm_settings(settings)
    api_key, base_url = provider_credentials(kind, env)
    call = CallSettings(
        model=model,
        max_output_tokens=request.max_output_tokens,
        timeout_s=request.timeout_s,
        api_key=api_key,
        base_url=base_url,
    )
    breaker = breaker_for(llm.circuit_failures, llm.circuit_cooldown.total_seconds())
    breaker.before_call(request.provider)
    started = time.monotonic()
    with genai_span(
        provider=kind,
        model=model,
        max_tokens=request.max_output_tokens,
        prompt_name=PROMPT_NAME,
        prompt_version=str(request.prompt_version),
        attempt=request.step,
    ) as span:
        try:
            answer = await take_turn(
                kind,
                TurnRequest(
                    system=request.system,
                    messages=request.messages,
                    tools=tool_specs(),
                    call=call,
                ),
            )
        except ExtractionError as err:
            breaker.record_failure(request.provider, err)
            raise
        breaker.record_success(request.provider)
        record_usage(
            span,
            response_model=answer.model,
            input_tokens=answer.input_tokens,
            output_tokens=answer.output_tokens,
        )
    price, _ = price_for(model, llm)
    cost = (
        cost_micro_usd(
            price,
            input_tokens=answer.input_tokens,
            output_tokens=answer.output_tokens,
            cached_tokens=answer.cached_tokens,
            cache_write_tokens=answer.cache_write_tokens,
        )
        if price is not None
        else 0
    )
    return ModelTurnResult(
        text=answer.text[:4_000],
        tool_calls=answer.tool_calls[:10],
        model=answer.model,
        response_id=answer.response_id,
        input_tokens=answer.input_tokens,
        output_tokens=answer.output_tokens,
        cost_micro_usd=cost,
        latency_ms=int((time.monotonic() - started) * 1000),
    )
