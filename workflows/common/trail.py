"""The audit trail as a workflow writes it.

Every record is appended before the workflow goes on (audit before effect); an effect
gets an intent record before it runs and an outcome record after. Appends are local
activities with an idempotency key derived from the workflow id, the run and the step,
so a retried append never writes twice and a replay never writes at all.
"""

from __future__ import annotations

from typing import Any, Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.audit import AuditBatch, AuditBatchResult, AuditEntry, AuditRecord
    from schemas.common.effects import EffectRecord
    from workflows.common.options import AUDIT, AUDIT_AS_LOCAL_ACTIVITY, AUDIT_BATCHES


class TrailState(Protocol):
    """The part of a workflow's state the trail keeps up to date."""

    effects: list[EffectRecord]
    audit_records: int


def count(name: str, attributes: dict[str, str | int | float | bool]) -> None:
    """Business metrics (the worker's Prometheus endpoint); not recorded on replay, so a
    replayed workflow never double counts."""
    workflow.metric_meter().create_counter(name).add(1, attributes)


class AuditTrail:
    def __init__(self, state: TrailState) -> None:
        self._state = state
        self._count = 0
        self._pending: list[AuditEntry] = []
        self._batching: bool | None = None

    def _batches(self) -> bool:
        # Decided once per run, at its first record (a deterministic point).
        if self._batching is None:
            self._batching = workflow.patched(AUDIT_BATCHES)
        return self._batching

    async def record(self, type_: str, payload: dict[str, Any], *, defer: bool = False) -> None:
        """Append a record. `defer=True`: it may wait for the next record that must be
        durable at once (an intent, a decision, a wait, the end); all pending records are
        always written before any effect, in order."""
        self._count += 1
        info = workflow.info()
        entry = AuditEntry(
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            type=type_,
            payload=payload,
            idempotency_key=f"{info.workflow_id}:{info.run_id}:{self._count}:{type_}",
        )
        if self._batches():
            self._pending.append(entry)
            if not defer:
                await self.flush()
            return
        if workflow.patched(AUDIT_AS_LOCAL_ACTIVITY):
            # Same worker, no task-queue round trip: an append is small, idempotent and
            # on the path of every step, so it should cost milliseconds, not a dispatch.
            await workflow.execute_local_activity(
                "append_audit", entry, result_type=AuditRecord, **AUDIT
            )
        else:
            await workflow.execute_activity("append_audit", entry, result_type=AuditRecord, **AUDIT)
        self._state.audit_records += 1

    async def flush(self) -> None:
        """Write every pending record (before waiting, continuing as new or ending)."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        await workflow.execute_local_activity(
            "append_audit_batch",
            AuditBatch(entries=batch),
            result_type=AuditBatchResult,
            **AUDIT,
        )
        self._state.audit_records += len(batch)

    def note_effect(self, effect: str, status: str, detail: str, ref: str | None = None) -> None:
        """An effect's state in the workflow's own record (no audit append)."""
        self._state.effects.append(
            EffectRecord(effect=effect, status=status, at=workflow.now(), detail=detail, ref=ref)
        )

    async def intent(self, effect: str, payload: dict[str, Any]) -> None:
        await self.record("effect.intent", {"effect": effect, **payload})
        self.note_effect(effect, "intended", "")

    async def outcome(
        self,
        effect: str,
        status: str,
        detail: str,
        *,
        ref: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.note_effect(effect, status, detail, ref)
        count("vouchflow_effects", {"effect": effect, "status": status})
        await self.record(
            "effect.outcome",
            {"effect": effect, "status": status, "detail": detail, "ref": ref, **(extra or {})},
            defer=True,
        )
