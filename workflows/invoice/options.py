"""Timeouts and retry policies of the invoice workflow's own steps, and its patch ids.

What every workflow shares (audit, verification, notifications, email, model calls) is
in workflows.common.options.
"""

from __future__ import annotations

from datetime import timedelta

from workflows.common.options import activity_options, model_call

# Patch ids: workflows started before a change replay on the old path.
RECHECK_DUPLICATES_BEFORE_POSTING = "recheck-duplicates-before-posting"

READ = activity_options(
    timedelta(minutes=3), attempts=3, final_errors=["ValueError"], heartbeat=timedelta(seconds=30)
)
EXTRACT = model_call(timedelta(minutes=3))
# Reads against the destination (duplicate checks): a rate-limit storm or a short outage
# must be waited out, not turned into a failed invoice.
DESTINATION_READ = activity_options(
    timedelta(minutes=1),
    attempts=10,
    first_retry=timedelta(seconds=2),
    longest_retry=timedelta(minutes=2),
)
POST = activity_options(
    timedelta(minutes=2),
    attempts=10,
    first_retry=timedelta(seconds=2),
    longest_retry=timedelta(minutes=5),
)
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
TEMPLATE_CHECK = activity_options(
    timedelta(minutes=1),
    attempts=4,
    longest_retry=timedelta(seconds=20),
    final_errors=["ValueError"],
)
# Learning writes one idempotent version row: retried through a short store outage.
TEMPLATE_LEARN = activity_options(
    timedelta(minutes=1),
    attempts=6,
    first_retry=timedelta(seconds=2),
    longest_retry=timedelta(minutes=1),
    final_errors=["ValueError"],
)
