"""Turn SDK exceptions into `ExtractionError` with the retry decision Temporal needs.

Auth and bad requests cannot succeed on retry; rate limits can, after Retry-After;
server errors, timeouts and dropped connections are transient.
"""

from __future__ import annotations

import anthropic
import openai

from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.retry_after import parse_retry_after

_NON_RETRYABLE_STATUS = {400, 401, 402, 403, 404, 413, 422}
_RETRYABLE_STATUS = {408, 409, 429}


def _body_message(body: object) -> str:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return ""


def classify_sdk_error(exc: BaseException, provider: str) -> ExtractionError:
    """Map an openai/anthropic SDK exception to a classified ExtractionError."""
    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError):
        return ExtractionError(f"{provider}: request timed out", retryable=True)
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError):
        return ExtractionError(f"{provider}: connection failed: {exc}", retryable=True)
    if isinstance(exc, openai.APIStatusError | anthropic.APIStatusError):
        status = exc.status_code
        detail = _body_message(exc.body) or str(exc)
        message = f"{provider}: HTTP {status}: {detail}"
        if status in (401, 403):
            return ExtractionError(f"{message} (check the API key)", retryable=False)
        if status == 429:
            return ExtractionError(
                message, retryable=True, retry_after_s=parse_retry_after(exc.response.headers)
            )
        if status in _RETRYABLE_STATUS or status >= 500:
            return ExtractionError(
                message, retryable=True, retry_after_s=parse_retry_after(exc.response.headers)
            )
        if status in _NON_RETRYABLE_STATUS:
            return ExtractionError(message, retryable=False)
        return ExtractionError(message, retryable=False)
    if isinstance(exc, openai.OpenAIError | anthropic.AnthropicError):
        # Client-side misuse or misconfiguration (e.g. missing key): retrying cannot help.
        return ExtractionError(f"{provider}: {exc}", retryable=False)
    return ExtractionError(f"{provider}: unexpected error: {exc!r}", retryable=False)


def refusal_error(provider: str, detail: str) -> ExtractionError:
    return ExtractionError(f"{provider}: the model refused: {detail}".rstrip(": "), retryable=False)


def cut_off_error(provider: str, max_output_tokens: int) -> ExtractionError:
    return ExtractionError(
        f"{provider}: output cut off at max_output_tokens={max_output_tokens}"
        " (raise [llm] max_output_tokens or shorten the document)",
        retryable=False,
    )
