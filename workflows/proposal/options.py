"""Timeouts and retry policies of the tier-change workflow's own steps (shared ones are
in workflows/common/options.py). Temporal owns retries."""

from __future__ import annotations

from datetime import timedelta

from workflows.common.options import activity_options, model_call

# Errors a billing system answers the same way every time: never retried.
BILLING_FINAL = ["DuplicateProposal", "TierChanged", "UnknownSubscription", "BillingError"]

PARSE = model_call(timedelta(minutes=2))
# Reading the account: the billing system may be briefly down; waited out.
ACCOUNT = activity_options(
    timedelta(seconds=30),
    attempts=8,
    longest_retry=timedelta(minutes=1),
    final_errors=BILLING_FINAL,
)
PREVIEW = ACCOUNT
# The change itself: every attempt carries the same idempotency key, so retrying is
# safe; a 429 waits for its Retry-After (next_retry_delay). Past the budget the run
# needs attention, with the failure, instead of retrying forever.
EXECUTE = activity_options(
    timedelta(minutes=1),
    attempts=12,
    first_retry=timedelta(seconds=2),
    longest_retry=timedelta(minutes=5),
    final_errors=BILLING_FINAL,
)
