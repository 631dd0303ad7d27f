"""Timeouts and retry policies of the invoice workflow's own steps, and its patch ids.

What every workflow shares (audit, verification, notifications, email) is in
workflows.common.options.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from workflows.common.options import ActivityOptions

# Patch ids: workflows started before a change replay on the old path.
RECHECK_DUPLICATES_BEFORE_POSTING = "recheck-duplicates-before-posting"

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
# Purchase-order reconciliation as a child workflow between assessment and routing.
INVOICE_RECONCILIATION = "invoice-reconciliation"
# The child bounds its own agent loop (wall clock, default 10 minutes); this is the
# backstop for a child that cannot finish, which then sends the invoice to review.
RECONCILIATION_CHILD_TIMEOUT = timedelta(minutes=30)
# Supplier templates: check an extraction against the supplier's learned template, and
# learn from a person's approval.
SUPPLIER_TEMPLATES = "supplier-templates"
# Reading one page against one template is milliseconds; the store is local or one
# PostgreSQL round trip. A check that keeps failing sends the invoice to a person.
TEMPLATE_CHECK: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(seconds=20),
        maximum_attempts=4,
        non_retryable_error_types=["ValueError"],
    ),
}
# Learning writes one idempotent version row: retried through a short store outage.
TEMPLATE_LEARN: ActivityOptions = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=6,
        non_retryable_error_types=["ValueError"],
    ),
}
