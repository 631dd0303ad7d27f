"""The batched audit append: in order, idempotent entry by entry, so a retried batch (or a
crash halfway through one) neither loses nor doubles a record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from temporalio.testing import ActivityEnvironment

from activities.common.audit import AuditActivities
from activities.common.deps import build_deps
from schemas.common.audit import AuditBatch, AuditEntry
from tests.conftest import make_settings


def _entry(n: int, type_: str) -> AuditEntry:
    return AuditEntry(
        workflow_id="wf-batch",
        run_id="run-1",
        type=type_,
        payload={"n": n},
        idempotency_key=f"wf-batch:run-1:{n}:{type_}",
    )


async def test_a_retried_batch_appends_each_record_once_in_order(tmp_path: Path) -> None:
    deps = build_deps(make_settings(tmp_path / "home"))
    activities = AuditActivities(deps)
    entries = [_entry(1, "workflow.started"), _entry(2, "decision.routed")]
    # A crash after the first append: the retry carries the whole batch again.
    deps.audit.append(entries[0], now=dt.datetime.now(dt.UTC))
    env = ActivityEnvironment()
    first = await env.run(activities.append_audit_batch, AuditBatch(entries=entries))
    again = await env.run(
        activities.append_audit_batch,
        AuditBatch(entries=[*entries, _entry(3, "effect.intent")]),
    )
    trail = deps.audit.trail("wf-batch")
    assert [r.type for r in trail] == ["workflow.started", "decision.routed", "effect.intent"]
    assert first.last_seq == trail[1].seq and again.last_seq == trail[2].seq
    assert deps.audit.verify().ok
