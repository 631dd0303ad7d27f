"""The append-only, hash-chained audit log.

Every record carries `prev_hash` (the previous record's hash, or 64 zeros for
seq 1) and `hash` = SHA-256 over the canonical JSON of its own fields plus
`prev_hash` (see stores/canonical.py), so changing, deleting or reordering any
row breaks the chain at that row and `verify()` names it. The database also
refuses UPDATE and DELETE (triggers), so tampering needs deliberate effort.

Appends are idempotent by `idempotency_key`: an activity retried after a crash
gets the record it already wrote and nothing new is written.

Backends: SQLite (default, a file under the vouchflow home) and PostgreSQL
(when `VOUCHFLOW_AUDIT_DSN` or `[audit] dsn` in vouchflow.toml is set).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from typing import Any, Protocol

from schemas.audit import AuditEntry, AuditRecord, AuditVerification
from settings.config import Settings
from stores.canonical import GENESIS_HASH, record_hash, to_json_value
from stores.redact import redact

AUDIT_DSN_ENV = "VOUCHFLOW_AUDIT_DSN"


class AuditStore(Protocol):
    """Synchronous by design: activities call it through `asyncio.to_thread`."""

    def append(self, entry: AuditEntry, *, now: dt.datetime) -> AuditRecord: ...

    def trail(self, workflow_id: str) -> list[AuditRecord]: ...

    def verify(self) -> AuditVerification: ...

    def all_records(self) -> list[AuditRecord]: ...


def prepare_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON, redacted: exactly what is stored and hashed."""
    prepared = redact(to_json_value(payload))
    if not isinstance(prepared, dict):
        raise TypeError("audit payload must be a JSON object")
    return prepared


def to_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def build_record(
    entry: AuditEntry,
    *,
    seq: int,
    prev_hash: str,
    payload: dict[str, Any],
    created_at: dt.datetime,
) -> AuditRecord:
    created_at = to_utc(created_at)
    digest = record_hash(
        seq=seq,
        workflow_id=entry.workflow_id,
        run_id=entry.run_id,
        type=entry.type,
        payload=payload,
        created_at=created_at,
        idempotency_key=entry.idempotency_key,
        prev_hash=prev_hash,
    )
    return AuditRecord(
        seq=seq,
        workflow_id=entry.workflow_id,
        run_id=entry.run_id,
        type=entry.type,
        payload=payload,
        created_at=created_at,
        idempotency_key=entry.idempotency_key,
        prev_hash=prev_hash,
        hash=digest,
    )


def recompute_hash(record: AuditRecord) -> str:
    return record_hash(
        seq=record.seq,
        workflow_id=record.workflow_id,
        run_id=record.run_id,
        type=record.type,
        payload=record.payload,
        created_at=record.created_at,
        idempotency_key=record.idempotency_key,
        prev_hash=record.prev_hash,
    )


def verify_chain(
    records: Iterable[AuditRecord], *, head_seq: int | None = None
) -> AuditVerification:
    """Check records in storage (insertion) order; report the first bad seq.

    `head_seq` is the chain length the store recorded separately, which catches
    rows deleted from the end of the log.
    """
    rows = list(records)
    present = {r.seq for r in rows}
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for record in rows:
        if record.seq != expected_seq:
            if expected_seq in present or record.seq < expected_seq:
                return _bad(
                    checked,
                    expected_seq,
                    f"out of order: found seq {record.seq} where seq {expected_seq} belongs",
                )
            return _bad(checked, expected_seq, f"gap: seq {expected_seq} missing (deleted?)")
        if recompute_hash(record) != record.hash:
            return _bad(checked, record.seq, "hash mismatch: record changed")
        if record.prev_hash != prev_hash:
            return _bad(checked, record.seq, f"prev_hash does not match record {record.seq - 1}")
        checked += 1
        prev_hash = record.hash
        expected_seq += 1
    if head_seq is not None and head_seq >= expected_seq:
        return _bad(checked, expected_seq, f"gap: seq {expected_seq} missing (deleted?)")
    return AuditVerification(ok=True, records_checked=checked)


def _bad(checked: int, seq: int, problem: str) -> AuditVerification:
    return AuditVerification(ok=False, records_checked=checked, first_bad_seq=seq, problem=problem)


def audit_dsn(settings: Settings, env: dict[str, str] | None = None) -> str | None:
    environ = os.environ if env is None else env
    if environ.get(AUDIT_DSN_ENV):
        return environ[AUDIT_DSN_ENV]
    section = settings.integrations.get("audit", {})
    dsn = section.get("dsn") if isinstance(section, dict) else None
    return str(dsn) if dsn else None


def open_audit_store(settings: Settings, env: dict[str, str] | None = None) -> AuditStore:
    """PostgreSQL when a DSN is configured, else the SQLite file under the home directory."""
    dsn = audit_dsn(settings, env)
    if dsn:
        from stores.audit_postgres import PostgresAuditStore

        return PostgresAuditStore(dsn)
    from stores.audit_sqlite import SqliteAuditStore

    return SqliteAuditStore(settings.audit_db_path)
