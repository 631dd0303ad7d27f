"""The extractor seam: anything that turns document text into a proposed invoice.

The rules extractor is the embedded default; LLM providers implement the same
protocol. Whatever an extractor returns is re-validated by deterministic code.
"""

from __future__ import annotations

from typing import Protocol

from schemas.invoice.extraction import ExtractionResult


class ExtractionError(Exception):
    """An extractor failure. `retryable=False` = retrying the same call cannot help."""

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class Extractor(Protocol):
    kind: str

    async def extract(self, text: str, *, filename: str) -> ExtractionResult: ...
