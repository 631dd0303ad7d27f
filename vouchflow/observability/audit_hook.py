"""Counting an audit record into the metrics, once, from inside the audit activity.

A retried append returns the record first written (same idempotency key) with its
original time; only a record created by this very append is counted, so retries and
replays never count twice. Metrics never fail an append: a broken observation is
logged and dropped, the record stays written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import structlog
from temporalio import activity

from schemas.common.audit import AuditEntry, AuditRecord
from vouchflow.observability.audit_metrics import observations_for
from vouchflow.observability.metrics import record
from vouchflow.stores.audit import AuditStore, to_utc

log = structlog.get_logger("vouchflow.metrics")


def observe_appended(
    store: AuditStore, entry: AuditEntry, appended: AuditRecord, *, now: dt.datetime
) -> None:
    """Call right after `store.append(entry, now=now)` returned `appended`."""
    if appended.created_at != to_utc(now):
        return  # an earlier append wrote it: already counted then
    try:
        info = activity.info()

        def started_payload() -> Mapping[str, Any] | None:
            for earlier in store.trail(entry.workflow_id):
                if earlier.type == "workflow.started":
                    return earlier.payload
            return None

        observations = observations_for(
            entry.type,
            entry.payload,
            workflow_type=info.workflow_type or "",
            created_at=appended.created_at,
            started_payload=started_payload,
        )
        if observations:
            record(activity.metric_meter(), observations)
    except Exception as err:  # never let a metric fail the audit log
        log.warning("audit metrics dropped", type=entry.type, error=type(err).__name__)
