"""Timeouts and retry policies of the tier-change workflow's own steps (shared ones are
in workflows/common/options.py). Temporal owns retries."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from workflows.common.options import ActivityOptions

# Errors a billing system answers the same way every time: never retried.
BILLING_FINAL = ["DuplicateProposal", "TierChanged", "UnknownSubscription", "BillingError"]

PARSE: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=2),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(seconds=60),
        maximum_attempts=4,
        non_retryable_error_types=["ValueError"],
    ),
}
# Reading the account: the billing system may be briefly down; waited out.
ACCOUNT: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=8,
        non_retryable_error_types=BILLING_FINAL,
    ),
}
PREVIEW: ActivityOptions = ACCOUNT
# The change itself: every attempt carries the same idempotency key, so retrying is
# safe; a 429 waits for its Retry-After (next_retry_delay). Past the budget the run
# needs attention, with the failure, instead of retrying forever.
EXECUTE: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=5),
        maximum_attempts=12,
        non_retryable_error_types=BILLING_FINAL,
    ),
}
