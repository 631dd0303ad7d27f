"""Timeouts and retry policies per kind of step, and the workflow's patch ids.

Temporal owns retries; integrations are called with their own retries off.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypedDict

from temporalio.common import RetryPolicy


class LocalActivityOptions(TypedDict):
    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


class ActivityOptions(LocalActivityOptions, total=False):
    heartbeat_timeout: timedelta


# Patch ids: workflows started before a change replay on the old path.
AUDIT_AS_LOCAL_ACTIVITY = "audit-as-local-activity"
RECHECK_DUPLICATES_BEFORE_POSTING = "recheck-duplicates-before-posting"
# Decisions carry a signed token verified before the workflow acts on them.
DECISION_PROOF = "decision-proof"

LLM_PROVIDERS = frozenset({"openai", "anthropic", "openai-compatible"})

QUICK: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(seconds=10)),
}
# The audit log must accept the intent before any effect: keep retrying (an outage
# pauses the workflow visibly instead of skipping the audit).
AUDIT: LocalActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_interval=timedelta(minutes=1)),
}
# Verifying a decision's token: local, fast, and a refusal is an answer (never retried).
VERIFY: LocalActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=10),
    "retry_policy": RetryPolicy(maximum_attempts=3, maximum_interval=timedelta(seconds=2)),
}
READ: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=3),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_attempts=3, non_retryable_error_types=["ValueError"]),
}
EXTRACT: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=3),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(seconds=60),
        maximum_attempts=4,
        non_retryable_error_types=["ValueError"],
    ),
}
# Reads against the destination (duplicate checks): a rate-limit storm or a short outage
# must be waited out, not turned into a failed invoice.
DESTINATION_READ: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(minutes=2),
        maximum_attempts=10,
    ),
}
POST: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=2),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(minutes=5),
        maximum_attempts=10,
    ),
}
NOTIFY: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(seconds=30)),
}
EMAIL: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(minutes=1)),
}
