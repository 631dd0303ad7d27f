"""No secret leaves an activity in an error.

Integrations fail with messages that can quote what they were given: OpenAI's 401
says "Incorrect API key provided: sk-...", an HTTP library may print a URL with a
password, a driver its connection string. Whatever an activity raises is turned into
a Temporal failure (stored in history, shown by `status`, the gateway, the Web UI and
the audit) and logged by the worker. This interceptor sits innermost around every
activity and rewrites the error before anything outside sees it: message, details
and the whole cause chain, with every configured secret value and key-shaped string
replaced (stores.redact.scrub_secrets). Error types, retryability and retry delays
are kept, so retry policies behave exactly as before.
"""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError, FailureError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from vouchflow.stores.redact import scrub_secrets, scrub_value

_MAX_CHAIN = 20


def _cause_of(err: BaseException) -> BaseException | None:
    if err.__cause__ is not None:
        return err.__cause__
    if err.__context__ is not None and not err.__suppress_context__:
        return err.__context__
    return None


def _message(err: BaseException) -> str:
    if isinstance(err, FailureError):
        return err.message
    return str(err)


def _needs_scrub(err: BaseException | None, depth: int = 0) -> bool:
    if err is None or depth > _MAX_CHAIN:
        return False
    message = _message(err)
    if scrub_secrets(message) != message:
        return True
    details = list(err.details) if isinstance(err, ApplicationError) else []
    if details and scrub_value(details) != details:
        return True
    return _needs_scrub(_cause_of(err), depth + 1)


def scrub_exception(err: BaseException, depth: int = 0) -> BaseException:
    """`err` itself when it carries no secret, else an equivalent ApplicationError
    (same type name, retryability, delay, details and causes) without them."""
    if depth > _MAX_CHAIN or not _needs_scrub(err):
        return err
    cause = _cause_of(err)
    clean_cause = scrub_exception(cause, depth + 1) if cause is not None else None
    if isinstance(err, ApplicationError):
        details: list[Any] = scrub_value(list(err.details))
        clean = ApplicationError(
            scrub_secrets(err.message),
            *details,
            type=err.type,
            non_retryable=err.non_retryable,
            next_retry_delay=err.next_retry_delay,
            category=err.category,
        )
    else:
        # Temporal records a plain exception as an ApplicationError named after its
        # class, retryable: the same, minus the secret.
        clean = ApplicationError(scrub_secrets(_message(err)), type=type(err).__name__)
    clean.__cause__ = clean_cause
    clean.__suppress_context__ = True
    return clean.with_traceback(err.__traceback__)


class _ScrubbingActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await self.next.execute_activity(input)
        except Exception as err:
            clean = scrub_exception(err)
            if clean is err:
                raise
            raise clean from clean.__cause__


class SecretScrubbingInterceptor(Interceptor):
    """Register last in the worker's interceptors so it wraps the activity innermost."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ScrubbingActivityInbound(next)
