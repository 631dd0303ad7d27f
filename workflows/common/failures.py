"""What a person needs to read from an activity failure."""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError


def root_cause(err: BaseException) -> BaseException:
    cause: BaseException = err
    while isinstance(cause, ActivityError) and cause.cause is not None:
        cause = cause.cause
    return cause


def failure_message(err: BaseException) -> str:
    """The root cause's message."""
    cause = root_cause(err)
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause)


def failure_type(err: BaseException) -> str | None:
    """The ApplicationError type an activity raised (e.g. 'DuplicateBill'), if any."""
    cause = root_cause(err)
    return cause.type if isinstance(cause, ApplicationError) else None
