"""Appending to the audit log. Idempotent: a retried append returns the first record."""

from __future__ import annotations

import asyncio
import datetime as dt

from temporalio import activity

from activities.common.deps import ActivityDeps
from schemas.common.audit import AuditBatch, AuditBatchResult, AuditEntry, AuditRecord
from vouchflow.observability.audit_hook import observe_appended


class AuditActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="append_audit")
    async def append_audit(self, entry: AuditEntry) -> AuditRecord:
        return await asyncio.to_thread(self._append, entry)

    @activity.defn(name="append_audit_batch")
    async def append_audit_batch(self, batch: AuditBatch) -> AuditBatchResult:
        """Append in order; a retried batch re-appends nothing already written (each entry
        is idempotent by its key), so a crash halfway through loses and doubles nothing."""

        def append_all() -> AuditBatchResult:
            last = 0
            for entry in batch.entries:
                last = self._append(entry).seq
            return AuditBatchResult(appended=len(batch.entries), last_seq=last)

        return await asyncio.to_thread(append_all)

    def _append(self, entry: AuditEntry) -> AuditRecord:
        now = dt.datetime.now(dt.UTC)
        record = self._deps.audit.append(entry, now=now)
        # Metrics come from the audit records: one place every workflow's events pass.
        observe_appended(self._deps.audit, entry, record, now=now)
        return record
