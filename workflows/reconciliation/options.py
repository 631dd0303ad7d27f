"""Timeouts and retry policies of the reconciliation workflow's steps. Temporal owns
retries; a step that fails for good ends the loop (`failed`), never wedges it."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from workflows.common.options import ActivityOptions

# Settings and the document's text: local reads.
PREPARE: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        maximum_attempts=5,
        maximum_interval=timedelta(seconds=10),
        non_retryable_error_types=["ConfigError"],
    ),
}
# The PO store (SQLite or PostgreSQL): a short outage is waited out.
STORE: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(seconds=30),
        maximum_attempts=6,
        non_retryable_error_types=["InvalidToolArguments"],
    ),
}
# One model turn: the provider's own timeout is inside this one; 429s wait for their
# Retry-After (next_retry_delay); auth and bad requests are not retried.
MODEL_TURN_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=4,
    non_retryable_error_types=["ValueError"],
)
# The activity's own limit: the provider call's timeout plus as much again (at most 30 s)
# for the SDK and the answer's handling. A worker lost mid-call is noticed after this.
MODEL_TURN_SLACK_MAX = timedelta(seconds=30)


def model_turn_timeout(model_timeout: timedelta) -> timedelta:
    return model_timeout + min(model_timeout, MODEL_TURN_SLACK_MAX)
