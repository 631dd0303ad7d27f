"""Appending to the audit log. Idempotent: a retried append returns the first record."""

from __future__ import annotations

import asyncio
import datetime as dt

from temporalio import activity

from activities.common.deps import ActivityDeps
from schemas.common.audit import AuditEntry, AuditRecord


class AuditActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="append_audit")
    async def append_audit(self, entry: AuditEntry) -> AuditRecord:
        now = dt.datetime.now(dt.UTC)
        return await asyncio.to_thread(self._deps.audit.append, entry, now=now)
