"""Timeouts and retry policies of the reconciliation workflow's steps. Temporal owns
retries; a step that fails for good ends the loop (`failed`), never wedges it."""

from __future__ import annotations

from datetime import timedelta

from workflows.common.options import activity_options

# Settings and the document's text: local reads.
PREPARE = activity_options(
    timedelta(seconds=30),
    attempts=5,
    longest_retry=timedelta(seconds=10),
    final_errors=["ConfigError"],
)
# The PO store (SQLite or PostgreSQL): a short outage is waited out.
STORE = activity_options(
    timedelta(seconds=30),
    attempts=6,
    longest_retry=timedelta(seconds=30),
    final_errors=["InvalidToolArguments"],
)
# One model turn is retried as every model call is (workflows.common.options.MODEL_RETRY).
# Its own limit: the provider call's timeout plus as much again (at most 30 s) for the SDK
# and the answer's handling. A worker lost mid-call is noticed after this.
MODEL_TURN_SLACK_MAX = timedelta(seconds=30)


def model_turn_timeout(model_timeout: timedelta) -> timedelta:
    return model_timeout + min(model_timeout, MODEL_TURN_SLACK_MAX)
