"""Timeouts, retry policies and patch ids every workflow shares.

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
# Decisions carry a signed token verified before the workflow acts on them.
DECISION_PROOF = "decision-proof"
# Audit records that need not be durable before the next step are appended together with
# the next record that must be (an effect's intent, a decision, a wait): fewer round trips,
# same guarantee (everything is in the log before any effect; a crash replays the rest).
AUDIT_BATCHES = "audit-batches"

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
NOTIFY: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(seconds=30)),
}
EMAIL: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(minutes=1)),
}
# Rollout stages: each run pins its stage (shadow, suggest, partial, full) at start, and
# a shadow stage starts the candidate as a child workflow.
ROLLOUT_STAGES = "rollout-stages"
# A shadow child: one extraction/classification and one comparison; it acts on nothing,
# so it is never retried for long.
SHADOW_CHILD_RUN = timedelta(minutes=30)
