"""A per-provider circuit breaker, per worker process.

When a provider keeps failing with retryable errors (5xx, timeouts, 429), every invoice
would spend its whole retry budget on it before falling back. After `threshold`
consecutive failures the circuit opens: calls fail at once, non-retryably, with
"circuit open", so the workflow moves to the next provider in the chain. After
`cooldown` one trial call is let through (half-open); a success closes the circuit.
Non-retryable errors (auth, bad request, refusals) say nothing about availability and
do not count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vouchflow.invoice.extraction.base import ExtractionError


@dataclass
class CircuitBreaker:
    threshold: int = 5
    cooldown_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _opened_at: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def before_call(self, provider: str) -> None:
        with self._lock:
            opened = self._opened_at.get(provider)
            if opened is None:
                return
            waited = self.clock() - opened
            if waited < self.cooldown_s:
                raise ExtractionError(
                    f"circuit open for {provider}: {self._failures.get(provider, 0)} failures "
                    f"in a row; next trial in {self.cooldown_s - waited:.0f} s",
                    retryable=False,
                )
            # Half-open: let this call through; a failure re-opens for a full cooldown.
            self._opened_at[provider] = self.clock()

    def record_success(self, provider: str) -> None:
        with self._lock:
            self._failures.pop(provider, None)
            self._opened_at.pop(provider, None)

    def record_failure(self, provider: str, err: ExtractionError) -> None:
        if not err.retryable:
            return
        with self._lock:
            count = self._failures.get(provider, 0) + 1
            self._failures[provider] = count
            if count >= self.threshold:
                self._opened_at[provider] = self.clock()

    def is_open(self, provider: str) -> bool:
        with self._lock:
            return provider in self._opened_at


_breakers: dict[tuple[int, float], CircuitBreaker] = {}


def breaker_for(threshold: int, cooldown_s: float) -> CircuitBreaker:
    """One breaker per setting in a process (the worker has one configuration)."""
    key = (threshold, cooldown_s)
    if key not in _breakers:
        _breakers[key] = CircuitBreaker(threshold=threshold, cooldown_s=cooldown_s)
    return _breakers[key]


def reset_breakers() -> None:
    """Forget all circuit state (tests; a worker restart does the same)."""
    _breakers.clear()
