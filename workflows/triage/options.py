"""Timeouts and retry policies of the triage workflow's own steps (shared ones are in
workflows/common/options.py). Temporal owns retries."""

from __future__ import annotations

from datetime import timedelta

from workflows.common.options import activity_options, model_call

CLASSIFY = model_call(timedelta(minutes=2))
# The triage store: local or the production database; a short outage is waited out.
STORE = activity_options(timedelta(seconds=30), attempts=10, longest_retry=timedelta(minutes=1))
# Jira: search before create on every attempt. The first retry waits a few seconds so
# an issue created by a lost attempt has reached Jira's search index; 429s wait for
# their Retry-After (next_retry_delay), auth and validation errors are not retried.
ESCALATE = activity_options(
    timedelta(minutes=1),
    attempts=10,
    first_retry=timedelta(seconds=5),
    longest_retry=timedelta(minutes=5),
)
