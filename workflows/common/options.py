"""Timeouts, retry policies and patch ids every workflow shares.

Temporal owns retries; integrations are called with their own retries off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TypedDict

from temporalio.common import RetryPolicy


class LocalActivityOptions(TypedDict):
    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


class ActivityOptions(LocalActivityOptions, total=False):
    heartbeat_timeout: timedelta


def activity_options(
    timeout: timedelta,
    *,
    attempts: int = 0,
    first_retry: timedelta = timedelta(seconds=1),
    longest_retry: timedelta | None = None,
    final_errors: Sequence[str] | None = None,
    heartbeat: timedelta | None = None,
) -> ActivityOptions:
    """A step's timeout and retries in the words the workflows use: how long one attempt
    may take, how many attempts (0 = until it succeeds), the first and the longest wait
    between them (the wait doubles), and the error types no retry can fix. What is not
    given keeps Temporal's default."""
    options: ActivityOptions = {
        "start_to_close_timeout": timeout,
        "retry_policy": RetryPolicy(
            initial_interval=first_retry,
            maximum_interval=longest_retry,
            maximum_attempts=attempts,
            non_retryable_error_types=list(final_errors) if final_errors is not None else None,
        ),
    }
    if heartbeat is not None:
        options["heartbeat_timeout"] = heartbeat
    return options


# Patch ids: workflows started before a change replay on the old path.
AUDIT_AS_LOCAL_ACTIVITY = "audit-as-local-activity"
# Decisions carry a signed token verified before the workflow acts on them.
DECISION_PROOF = "decision-proof"
# Audit records that need not be durable before the next step are appended together with
# the next record that must be (an effect's intent, a decision, a wait): fewer round trips,
# same guarantee (everything is in the log before any effect; a crash replays the rest).
AUDIT_BATCHES = "audit-batches"

QUICK = activity_options(timedelta(seconds=30), attempts=5, longest_retry=timedelta(seconds=10))
# The audit log must accept the intent before any effect: keep retrying (an outage
# pauses the workflow visibly instead of skipping the audit).
AUDIT: LocalActivityOptions = activity_options(
    timedelta(seconds=30), longest_retry=timedelta(minutes=1)
)
# Verifying a decision's token: local, fast, and a refusal is an answer (never retried).
VERIFY: LocalActivityOptions = activity_options(
    timedelta(seconds=10), attempts=3, longest_retry=timedelta(seconds=2)
)
NOTIFY = activity_options(timedelta(seconds=30), attempts=5, longest_retry=timedelta(seconds=30))
EMAIL = activity_options(timedelta(minutes=1), attempts=5, longest_retry=timedelta(minutes=1))
# A model's turn (extraction, classification, parsing, an agent's step): a 429 waits for
# its Retry-After (next_retry_delay); a request the model can never answer (ValueError:
# bad request, auth) is not retried.
MODEL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=4,
    non_retryable_error_types=["ValueError"],
)


def model_call(timeout: timedelta) -> ActivityOptions:
    """One call to a model (or the rules standing in for one), retried as MODEL_RETRY."""
    return {"start_to_close_timeout": timeout, "retry_policy": MODEL_RETRY}


# Rollout stages: each run pins its stage (shadow, suggest, partial, full) at start, and
# a shadow stage starts the candidate as a child workflow.
ROLLOUT_STAGES = "rollout-stages"
# A shadow child: one extraction/classification and one comparison; it acts on nothing,
# so it is never retried for long.
SHADOW_CHILD_RUN = timedelta(minutes=30)
