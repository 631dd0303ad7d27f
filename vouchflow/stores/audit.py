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
import json
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from schemas.common.audit import AuditEntry, AuditRecord, AuditVerification
from vouchflow.settings.config import Settings
from vouchflow.stores.canonical import (
    GENESIS_HASH,
    canonical_json,
    record_hash,
    to_json_value,
    utc_iso,
)
from vouchflow.stores.redact import redact

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


class AuditRowError(ValueError):
    """A stored row is not a well-formed audit record (corrupted or tampered with)."""


_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TEXT_COLUMNS = ("workflow_id", "run_id", "type", "idempotency_key")


def record_from_row(row: Sequence[object]) -> AuditRecord:
    """Parse a stored row strictly: anything but exactly what `append` writes is refused.

    Columns: seq, workflow_id, run_id, type, payload, created_at, idempotency_key,
    prev_hash, hash. Strict because the hash covers parsed values: a payload
    re-serialised differently, or a number stored as text, would otherwise verify
    while no longer being the bytes that were written.
    """
    if len(row) != 9:
        raise AuditRowError(f"expected 9 columns, found {len(row)}")
    seq, workflow_id, run_id, type_, payload, created_at, key, prev_hash, digest = row
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise AuditRowError(f"seq is {_kind(seq)}, not an integer")
    for name, value in zip(_TEXT_COLUMNS, (workflow_id, run_id, type_, key), strict=True):
        if not isinstance(value, str):
            raise AuditRowError(f"{name} is {_kind(value)}, not text")
    for name, value in (("prev_hash", prev_hash), ("hash", digest)):
        if not isinstance(value, str):
            raise AuditRowError(f"{name} is {_kind(value)}, not a SHA-256 hex digest")
        if not _HEX64.match(value):
            raise AuditRowError(f"{name} is not a SHA-256 hex digest")
    if not isinstance(payload, str):
        raise AuditRowError(f"payload is {_kind(payload)}, not JSON text")
    try:
        parsed = json.loads(payload)
        canonical = canonical_json(parsed)
    except (ValueError, RecursionError):
        raise AuditRowError("payload is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise AuditRowError(f"payload is a JSON {type(parsed).__name__}, not an object")
    if canonical != payload:
        raise AuditRowError("payload is not in canonical form (rewritten)")
    if not isinstance(created_at, str):
        raise AuditRowError(f"created_at is {_kind(created_at)}, not text")
    try:
        moment = dt.datetime.fromisoformat(created_at)
    except ValueError:
        raise AuditRowError("created_at is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None or utc_iso(moment) != created_at:
        raise AuditRowError("created_at is not a UTC timestamp as written")
    return AuditRecord(
        seq=seq,
        workflow_id=workflow_id,
        run_id=run_id,
        type=type_,
        payload=parsed,
        created_at=moment,
        idempotency_key=key,
        prev_hash=prev_hash,
        hash=digest,
    )


def _kind(value: object) -> str:
    return "NULL" if value is None else type(value).__name__


def records_from_rows(rows: Iterable[Sequence[object]]) -> list[AuditRecord]:
    """For reading trails: a corrupted row is an error naming it, never a traceback."""
    records = []
    for position, row in enumerate(rows, start=1):
        try:
            records.append(record_from_row(row))
        except AuditRowError as err:
            seq = row[0] if row and isinstance(row[0], int) else f"at position {position}"
            raise AuditRowError(
                f"audit record {seq} is corrupted: {err} (run `audit verify`)"
            ) from None
    return records


def verify_chain(
    rows: Iterable[Sequence[object] | AuditRecord],
    *,
    head_seq: int | None = None,
    head_hash: str | None = None,
) -> AuditVerification:
    """Check stored rows in storage (insertion) order; report the first bad record.

    `head_seq` / `head_hash` are the chain head the store keeps separately: they
    catch rows deleted from the end of the log and rows inserted after it.
    A row that cannot be parsed (bad JSON, wrong type, NULL) is reported by the seq
    it should have had.
    """
    items = list(rows)
    present: set[int] = set()
    for item in items:
        seq_value = item.seq if isinstance(item, AuditRecord) else (item[0] if item else None)
        if isinstance(seq_value, int) and not isinstance(seq_value, bool):
            present.add(seq_value)
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for item in items:
        try:
            record = item if isinstance(item, AuditRecord) else record_from_row(item)
        except AuditRowError as err:
            return _bad(checked, expected_seq, f"unreadable record: {err}")
        if record.seq != expected_seq:
            if head_seq is not None and record.seq > head_seq and expected_seq > head_seq:
                return _bad(
                    checked,
                    record.seq,
                    f"seq {record.seq} is beyond the chain head {head_seq} (inserted?)",
                )
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
        if head_seq is not None and record.seq > head_seq:
            return _bad(
                checked,
                record.seq,
                f"seq {record.seq} is beyond the chain head {head_seq} (inserted?)",
            )
        checked += 1
        prev_hash = record.hash
        expected_seq += 1
    if head_seq is not None and head_seq >= expected_seq:
        return _bad(checked, expected_seq, f"gap: seq {expected_seq} missing (deleted?)")
    if head_hash is not None and head_seq == checked and head_hash != prev_hash:
        return _bad(
            checked,
            checked,
            f"record {checked} does not match the chain head (last record changed?)",
        )
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
        from vouchflow.stores.audit_postgres import PostgresAuditStore

        return PostgresAuditStore(dsn)
    from vouchflow.stores.audit_sqlite import SqliteAuditStore

    return SqliteAuditStore(settings.audit_db_path)
