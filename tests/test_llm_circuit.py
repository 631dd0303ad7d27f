"""A provider that keeps failing opens its circuit, so invoices fall back at once."""

from __future__ import annotations

import pytest

from tests.test_llm_extraction import GOOD, TEXT, USAGE
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.runner import ExtractionRequest, run_extraction
from vouchflow.llm.circuit import CircuitBreaker
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_retryable_failures_and_half_opens_after_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=60, clock=clock)
    for _ in range(3):
        breaker.before_call("openai:m")
        breaker.record_failure("openai:m", ExtractionError("500", retryable=True))
    with pytest.raises(ExtractionError, match="circuit open") as raised:
        breaker.before_call("openai:m")
    assert raised.value.retryable is False
    breaker.before_call("anthropic:m")  # other providers are unaffected
    clock.now = 61
    breaker.before_call("openai:m")  # one trial call
    with pytest.raises(ExtractionError, match="circuit open"):
        breaker.before_call("openai:m")  # ...and only one while it is out
    breaker.record_success("openai:m")
    breaker.before_call("openai:m")
    assert not breaker.is_open("openai:m")


def test_non_retryable_errors_and_successes_do_not_open_it() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown_s=60)
    for _ in range(5):
        breaker.record_failure("openai:m", ExtractionError("401", retryable=False))
    breaker.record_failure("openai:m", ExtractionError("500", retryable=True))
    breaker.record_success("openai:m")
    breaker.record_failure("openai:m", ExtractionError("500", retryable=True))
    breaker.before_call("openai:m")
    assert not breaker.is_open("openai:m")


async def test_real_provider_failures_open_the_circuit_without_calling_again(
    settings: Settings,
) -> None:
    settings = settings.model_copy(
        update={
            "integrations": {
                **settings.integrations,
                "llm": {
                    **settings.integrations.get("llm", {}),
                    "circuit_failures": 2,
                },
            }
        }
    )
    request = ExtractionRequest(text=TEXT, filename="a.txt", provider="openai:gpt-5-mini")
    with FakeOpenAI.start() as fake:
        env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        fake.script(Reply.error(500, "down"), Reply.error(503, "down"), Reply.json(GOOD, **USAGE))
        for _ in range(2):
            with pytest.raises(ExtractionError) as raised:
                await run_extraction(request, settings, env=env)
            assert raised.value.retryable
        with pytest.raises(ExtractionError, match="circuit open") as raised:
            await run_extraction(request, settings, env=env)
        assert raised.value.retryable is False
        assert fake.remaining() == 1  # the third answer was never asked for
