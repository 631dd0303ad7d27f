"""Timeouts and retry policies of the triage workflow's own steps (shared ones are in
workflows/common/options.py). Temporal owns retries."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from workflows.common.options import ActivityOptions

CLASSIFY: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=2),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(seconds=60),
        maximum_attempts=4,
        non_retryable_error_types=["ValueError"],
    ),
}
# The triage store: local or the production database; a short outage is waited out.
STORE: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=10,
    ),
}
# Jira: search before create on every attempt. The first retry waits a few seconds so
# an issue created by a lost attempt has reached Jira's search index; 429s wait for
# their Retry-After (next_retry_delay), auth and validation errors are not retried.
ESCALATE: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=5),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=5),
        maximum_attempts=10,
    ),
}
