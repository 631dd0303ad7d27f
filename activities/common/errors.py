"""Turn integration errors into Temporal failures: Temporal owns retries.

Integrations raise their own errors with `retryable` and `retry_after_s`; here they
become `ApplicationError`s that are non-retryable (bad request, auth, permanent)
or carry `next_retry_delay` (429 Retry-After), so the activity retry policy does
the rest. The message is scrubbed of configured secrets here already (the worker's
SecretScrubbingInterceptor does the same for every other error).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from temporalio.exceptions import ApplicationError

from vouchflow.stores.redact import scrub_secrets


class ClassifiedError(Protocol):
    retryable: bool

    def __str__(self) -> str: ...


def to_application_error(err: Exception) -> ApplicationError:
    retryable = bool(getattr(err, "retryable", True))
    retry_after = getattr(err, "retry_after_s", None)
    delay = dt.timedelta(seconds=float(retry_after)) if retry_after else None
    return ApplicationError(
        scrub_secrets(str(err)) or type(err).__name__,
        type=type(err).__name__,
        non_retryable=not retryable,
        next_retry_delay=delay,
    )
