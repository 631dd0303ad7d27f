"""Audit store: hash chain, idempotent appends, concurrency, tamper detection, redaction.

Every behaviour runs against SQLite and PostgreSQL. PostgreSQL comes from
VOUCHFLOW_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test); each
test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from schemas.common.audit import AuditEntry, AuditRecord
from vouchflow.settings.config import load_settings
from vouchflow.stores.audit import AuditStore, open_audit_store
from vouchflow.stores.audit_postgres import PostgresAuditStore
from vouchflow.stores.audit_sqlite import SqliteAuditStore
from vouchflow.stores.redact import REDACTED, redact

NOW = dt.datetime(2025, 3, 1, 12, 30, 0, 123456, tzinfo=dt.UTC)
PG_ENV = "VOUCHFLOW_TEST_POSTGRES_URL"

# Runs raw SQL with the append-only triggers out of the way, like an attacker would.
Tamper = Callable[[list[str]], None]


def postgres_dsn() -> str:
    dsn = os.environ.get(PG_ENV)
    if dsn:
        return dsn
    if os.environ.get("CI"):
        pytest.fail(f"{PG_ENV} must be set in CI: the PostgreSQL audit store tests must run")
    pytest.skip(f"{PG_ENV} not set (local run without PostgreSQL)")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[AuditStore, Tamper]]:
    if request.param == "sqlite":
        path = tmp_path / "audit.sqlite3"
        store = SqliteAuditStore(path)

        def tamper_sqlite(statements: list[str]) -> None:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
            for statement in statements:
                conn.execute(statement.replace("{log}", "audit_log"))
            conn.close()

        yield store, tamper_sqlite
        return
    dsn = postgres_dsn()
    schema = f"vf_audit_test_{uuid.uuid4().hex[:12]}"
    pg_store = PostgresAuditStore(dsn, schema=schema)

    def tamper_pg(statements: list[str]) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"ALTER TABLE {schema}.audit_log DISABLE TRIGGER USER")
            for statement in statements:
                conn.execute(statement.replace("{log}", f"{schema}.audit_log"))

    try:
        yield pg_store, tamper_pg
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def entry(n: int, workflow_id: str = "invoice-1", **payload: Any) -> AuditEntry:
    return AuditEntry(
        workflow_id=workflow_id,
        run_id="run-1",
        type="decision.routed",
        payload={"n": n, "total_minor": 12_000, **payload},
        idempotency_key=f"{workflow_id}:step-{n}",
    )


def fill(store: AuditStore, count: int) -> list[AuditRecord]:
    return [store.append(entry(n), now=NOW + dt.timedelta(seconds=n)) for n in range(count)]


def expected_hash(record: AuditRecord) -> str:
    body = {
        "seq": record.seq,
        "workflow_id": record.workflow_id,
        "run_id": record.run_id,
        "type": record.type,
        "payload": record.payload,
        "created_at": record.created_at.isoformat(),
        "idempotency_key": record.idempotency_key,
        "prev_hash": record.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_chain_links_every_record(backend: tuple[AuditStore, Tamper]) -> None:
    store, _ = backend
    written = fill(store, 5)
    records = store.all_records()
    assert records == written
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(records):
        assert after.prev_hash == before.hash
    for record in records:
        assert record.hash == expected_hash(record)
        assert record.created_at.tzinfo is not None
        assert record.created_at.utcoffset() == dt.timedelta(0)
    assert records[2].created_at == NOW + dt.timedelta(seconds=2)
    result = store.verify()
    assert (result.ok, result.records_checked, result.first_bad_seq) == (True, 5, None)


def test_non_ascii_and_non_json_values_round_trip(backend: tuple[AuditStore, Tamper]) -> None:
    store, _ = backend
    record = store.append(
        AuditEntry(
            workflow_id="invoice-ü",
            run_id="r",
            type="extraction.done",
            payload={"supplier_name": "Société Générale €", "issue_date": dt.date(2025, 1, 2)},
            idempotency_key="k-ü",
        ),
        now=dt.datetime(2025, 3, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    )
    assert record.payload == {"supplier_name": "Société Générale €", "issue_date": "2025-01-02"}
    assert record.created_at == dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    assert store.trail("invoice-ü") == [record]
    assert store.verify().ok


def test_append_is_idempotent_by_key(backend: tuple[AuditStore, Tamper]) -> None:
    store, _ = backend
    first = store.append(entry(1), now=NOW)
    again = store.append(entry(1, extra="retried"), now=NOW + dt.timedelta(minutes=5))
    assert again == first
    assert len(store.all_records()) == 1
    assert store.append(entry(2), now=NOW).seq == 2


def test_trail_returns_one_workflow_in_order(backend: tuple[AuditStore, Tamper]) -> None:
    store, _ = backend
    for n in range(6):
        store.append(entry(n, workflow_id=f"invoice-{n % 2}"), now=NOW)
    trail = store.trail("invoice-1")
    assert [r.seq for r in trail] == [2, 4, 6]
    assert {r.workflow_id for r in trail} == {"invoice-1"}
    assert store.trail("nope") == []


def test_database_refuses_update_and_delete(backend: tuple[AuditStore, Tamper]) -> None:
    store, _ = backend
    fill(store, 2)
    if isinstance(store, SqliteAuditStore):
        conn = sqlite3.connect(store.path, isolation_level=None)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET type = 'x' WHERE seq = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log WHERE seq = 1")
        conn.close()
    else:
        assert isinstance(store, PostgresAuditStore)
        with psycopg.connect(store.dsn, autocommit=True) as pg:
            for statement in ("UPDATE {log} SET type = 'x'", "DELETE FROM {log}", "TRUNCATE {log}"):
                with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                    pg.execute(statement.replace("{log}", f"{store.schema}.audit_log"))
    assert store.verify().ok
    assert len(store.all_records()) == 2


def test_verify_detects_a_changed_payload(backend: tuple[AuditStore, Tamper]) -> None:
    store, tamper = backend
    fill(store, 5)
    tamper(['UPDATE {log} SET payload = \'{"n":2,"total_minor":1}\' WHERE seq = 3'])
    result = store.verify()
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.problem == "hash mismatch: record changed"
    assert result.records_checked == 2


def test_verify_detects_a_rewritten_record_by_its_successor(
    backend: tuple[AuditStore, Tamper],
) -> None:
    store, tamper = backend
    records = fill(store, 5)
    forged = records[2].model_copy(update={"payload": {"n": 2, "total_minor": 1}})
    forged = forged.model_copy(update={"hash": expected_hash(forged)})
    payload = json.dumps(forged.payload, sort_keys=True, separators=(",", ":"))
    tamper([f"UPDATE {{log}} SET payload = '{payload}', hash = '{forged.hash}' WHERE seq = 3"])
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert result.problem == "prev_hash does not match record 3"


def test_verify_detects_a_deleted_row(backend: tuple[AuditStore, Tamper]) -> None:
    store, tamper = backend
    fill(store, 5)
    tamper(["DELETE FROM {log} WHERE seq = 3"])
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert result.problem == "gap: seq 3 missing (deleted?)"


def test_verify_detects_a_deleted_last_row(backend: tuple[AuditStore, Tamper]) -> None:
    store, tamper = backend
    fill(store, 5)
    tamper(["DELETE FROM {log} WHERE seq = 5"])
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.records_checked) == (False, 5, 4)
    assert result.problem == "gap: seq 5 missing (deleted?)"


def test_verify_detects_reordered_rows(backend: tuple[AuditStore, Tamper]) -> None:
    store, tamper = backend
    fill(store, 5)
    columns = (
        "seq, workflow_id, run_id, type, payload, created_at, idempotency_key, prev_hash, hash"
    )
    # Move seq 2 to the end of the table: rows now sit in the order 1, 3, 4, 5, 2.
    tamper(
        [
            "CREATE TABLE moved AS SELECT * FROM {log} WHERE seq = 2",
            "DELETE FROM {log} WHERE seq = 2",
            f"INSERT INTO {{log}} ({columns}) SELECT {columns} FROM moved",
            "DROP TABLE moved",
        ]
    )
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert result.problem is not None and result.problem.startswith("out of order")
    assert [r.seq for r in store.all_records()] == [1, 2, 3, 4, 5]


def test_concurrent_appends_from_threads_keep_a_gapless_chain(
    backend: tuple[AuditStore, Tamper],
) -> None:
    store, _ = backend

    def work(worker: int) -> list[int]:
        return [store.append(entry(n, workflow_id=f"wf-{worker}"), now=NOW).seq for n in range(15)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = [seq for result in pool.map(work, range(8)) for seq in result]
    assert sorted(seqs) == list(range(1, 121))
    result = store.verify()
    assert (result.ok, result.records_checked) == (True, 120)


def test_concurrent_retries_of_one_key_write_once(backend: tuple[AuditStore, Tamper]) -> None:
    store, _ = backend
    with ThreadPoolExecutor(max_workers=8) as pool:
        records = list(pool.map(lambda _: store.append(entry(7), now=NOW), range(16)))
    assert len({r.hash for r in records}) == 1
    assert len(store.all_records()) == 1


def _append_from_process(kind: str, target: str, worker: int, count: int) -> None:
    store: AuditStore
    if kind == "sqlite":
        store = SqliteAuditStore(Path(target))
    else:
        dsn, _, schema = target.partition("#")
        store = PostgresAuditStore(dsn, schema=schema)
    for n in range(count):
        store.append(entry(n, workflow_id=f"proc-{worker}"), now=NOW)


def test_concurrent_appends_from_processes_keep_a_gapless_chain(
    backend: tuple[AuditStore, Tamper],
) -> None:
    store, _ = backend
    if isinstance(store, SqliteAuditStore):
        kind, target = "sqlite", str(store.path)
    else:
        assert isinstance(store, PostgresAuditStore)
        kind, target = "postgres", f"{store.dsn}#{store.schema}"
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=_append_from_process, args=(kind, target, worker, 20))
        for worker in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    records = store.all_records()
    assert [r.seq for r in records] == list(range(1, 81))
    assert store.verify().ok


def test_payload_is_redacted_before_it_is_stored_and_hashed(
    backend: tuple[AuditStore, Tamper],
) -> None:
    store, _ = backend
    record = store.append(
        AuditEntry(
            workflow_id="invoice-9",
            run_id="r",
            type="effect.intent",
            payload={
                "supplier_name": "Acme Office Supplies Ltd",
                "invoice_number": "INV-1001",
                "total_minor": 12_000,
                "headers": {"Authorization": "Bearer abcdef123456", "Xero-Tenant-Id": "t-1"},
                "client_secret": "s3cr3t",
                "usage": {"input_tokens": 812},
                "note": "Pay GB82 WEST 1234 5698 7654 32, questions to ap@supplier.example",
            },
            idempotency_key="invoice-9:intent",
        ),
        now=NOW,
    )
    stored = store.trail("invoice-9")[0]
    assert stored == record
    payload = stored.payload
    assert payload["headers"]["Authorization"] == REDACTED
    assert payload["headers"]["Xero-Tenant-Id"] == "t-1"
    assert payload["client_secret"] == REDACTED
    assert payload["usage"] == {"input_tokens": 812}
    assert (payload["supplier_name"], payload["invoice_number"], payload["total_minor"]) == (
        "Acme Office Supplies Ltd",
        "INV-1001",
        12_000,
    )
    assert "GB82" not in payload["note"] and "[IBAN ****5432]" in payload["note"]
    assert "ap@supplier.example" not in payload["note"]
    assert stored.hash == expected_hash(stored)
    assert store.verify().ok


def test_redact_rules() -> None:
    payload = {
        "api_key": "sk-live-123",
        "password": "",
        "iban": "DE89 3704 0044 0532 0130 00",
        "account_number": "12345678",
        "reviewer": "alice@example.com",
        "invoice_number": "4111111111111111",
        "items": [{"token": "xoxb-123456789012-abc"}, "card 4111 1111 1111 1111 charged"],
        "text": "acct: 12345678 sort code 12-34-56 key sk-ant-abcdefghijklmnopqrstuv",
        "dsn": "postgresql://app:hunter2@db:5432/audit",
        "reference": "order 1234567890123 shipped",
        "amount_minor": 4111111111111111,
    }
    out = redact(payload)
    assert out["api_key"] == REDACTED
    assert out["password"] == ""
    assert out["iban"] == "****3000"
    assert out["account_number"] == "****5678"
    assert out["reviewer"] == "alice@example.com"
    assert out["invoice_number"] == "4111111111111111"
    assert out["items"][0]["token"] == REDACTED
    assert out["items"][1] == "card [card ****1111] charged"
    assert "12345678" not in out["text"] and "sk-ant" not in out["text"]
    assert "12-34-56" not in out["text"]
    assert out["dsn"] == f"postgresql://app:{REDACTED}@db:5432/audit"
    # Not Luhn-valid: an ordinary reference number stays readable.
    assert out["reference"] == "order 1234567890123 shipped"
    assert out["amount_minor"] == 4111111111111111
    assert payload["api_key"] == "sk-live-123"


def test_open_audit_store_defaults_to_sqlite(tmp_path: Path) -> None:
    settings = load_settings(env={"VOUCHFLOW_HOME": str(tmp_path)})
    sqlite_store = open_audit_store(settings, env={})
    assert isinstance(sqlite_store, SqliteAuditStore)
    assert sqlite_store.path == tmp_path / "audit.sqlite3"
    assert sqlite_store.path.exists()


def test_open_audit_store_uses_postgres_when_a_dsn_is_set(tmp_path: Path) -> None:
    dsn = postgres_dsn()
    settings = load_settings(env={"VOUCHFLOW_HOME": str(tmp_path)})
    pg_store = open_audit_store(settings, env={"VOUCHFLOW_AUDIT_DSN": dsn})
    assert isinstance(pg_store, PostgresAuditStore)
    assert pg_store.dsn == dsn
    configured = settings.model_copy(update={"integrations": {"audit": {"dsn": dsn}}})
    assert isinstance(open_audit_store(configured, env={}), PostgresAuditStore)


# ---- corruption of any kind is named, never a crash ---------------------------------------


_COLUMN_NAMES = (
    "seq",
    "workflow_id",
    "run_id",
    "type",
    "payload",
    "created_at",
    "idempotency_key",
    "prev_hash",
    "hash",
)


def _loosen(store: AuditStore, tamper: Tamper) -> None:
    """Drop NOT NULL (and, on PostgreSQL, the column types) so anything can be written."""
    if isinstance(store, SqliteAuditStore):
        tamper(
            [
                "CREATE TABLE loose AS SELECT * FROM {log}",
                "DROP TABLE {log}",
                "ALTER TABLE loose RENAME TO audit_log",
            ]
        )
        return
    tamper([f"ALTER TABLE {{log}} ALTER COLUMN {column} DROP NOT NULL" for column in _COLUMN_NAMES])


@pytest.mark.parametrize(
    ("assignment", "problem"),
    [
        ("payload = '{\"n\":2,'", "payload is not valid JSON"),
        ("payload = 'not json at all'", "payload is not valid JSON"),
        ("payload = '[1,2]'", "payload is a JSON list, not an object"),
        ("payload = '\"text\"'", "payload is a JSON str, not an object"),
        ('payload = \'{"n": 2, "total_minor": 12000}\'', "payload is not in canonical form"),
        ("payload = '{\"n\":NaN}'", "payload is not valid JSON"),
        ("payload = '" + "[" * 5000 + "'", "payload is not valid JSON"),
        ("created_at = 'yesterday'", "created_at is not an ISO 8601 timestamp"),
        ("created_at = '2025-03-01T12:30:02'", "created_at is not a UTC timestamp"),
        ("created_at = '2025-03-01T13:30:02.123456+01:00'", "created_at is not a UTC timestamp"),
        ("hash = 'abc'", "hash is not a SHA-256 hex digest"),
        ("prev_hash = upper(prev_hash)", "prev_hash is not a SHA-256 hex digest"),
        ("seq = NULL", "seq is NULL"),
        ("workflow_id = NULL", "workflow_id is NULL"),
        ("run_id = NULL", "run_id is NULL"),
        ("type = NULL", "type is NULL"),
        ("payload = NULL", "payload is NULL"),
        ("created_at = NULL", "created_at is NULL"),
        ("idempotency_key = NULL", "idempotency_key is NULL"),
        ("prev_hash = NULL", "prev_hash is NULL"),
        ("hash = NULL", "hash is NULL"),
    ],
)
def test_verify_names_an_unreadable_record(
    backend: tuple[AuditStore, Tamper], assignment: str, problem: str
) -> None:
    store, tamper = backend
    fill(store, 5)
    _loosen(store, tamper)
    tamper([f"UPDATE {{log}} SET {assignment} WHERE idempotency_key = 'invoice-1:step-2'"])
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.records_checked) == (False, 3, 2)
    assert result.problem is not None and result.problem.startswith("unreadable record: ")
    assert problem in result.problem
    # Reading the log names the record too, instead of raising a parser's error.
    with pytest.raises(ValueError, match=r"audit record .* is corrupted"):
        store.all_records()


def test_verify_names_a_seq_stored_as_text(backend: tuple[AuditStore, Tamper]) -> None:
    store, tamper = backend
    fill(store, 5)
    if isinstance(store, SqliteAuditStore):
        # SQLite keeps text in an INTEGER column when it does not look like a number.
        tamper(["UPDATE {log} SET seq = 'three' WHERE seq = 3"])
        bad = 3
    else:
        # PostgreSQL: the column itself was retyped, so the very first row is wrong.
        tamper(["ALTER TABLE {log} ALTER COLUMN seq TYPE TEXT"])
        bad = 1
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, bad)
    assert result.problem == "unreadable record: seq is str, not an integer"


def test_verify_names_a_wrongly_typed_sqlite_value(tmp_path: Path) -> None:
    store = SqliteAuditStore(tmp_path / "audit.sqlite3")
    fill(store, 4)
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("UPDATE audit_log SET workflow_id = X'00ff' WHERE seq = 2")
    conn.close()
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert result.problem == "unreadable record: workflow_id is bytes, not text"


def test_verify_detects_a_row_inserted_after_the_head(backend: tuple[AuditStore, Tamper]) -> None:
    store, tamper = backend
    records = fill(store, 5)
    # A perfectly forged successor: right seq, right prev_hash, right hash.
    forged = records[4].model_copy(
        update={
            "seq": 6,
            "idempotency_key": "forged",
            "payload": {"n": 99, "total_minor": 1},
            "prev_hash": records[4].hash,
        }
    )
    forged = forged.model_copy(update={"hash": expected_hash(forged)})
    payload = json.dumps(forged.payload, sort_keys=True, separators=(",", ":"))
    columns = (
        "seq, workflow_id, run_id, type, payload, created_at, idempotency_key, prev_hash, hash"
    )
    tamper(
        [
            f"INSERT INTO {{log}} ({columns}) VALUES (6, 'invoice-1', 'run-1', 'decision.routed', "
            f"'{payload}', '{forged.created_at.isoformat()}', 'forged', '{forged.prev_hash}', "
            f"'{forged.hash}')"
        ]
    )
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.records_checked) == (False, 6, 5)
    assert result.problem == "seq 6 is beyond the chain head 5 (inserted?)"


def test_verify_detects_a_stray_row_inserted_with_any_seq(
    backend: tuple[AuditStore, Tamper],
) -> None:
    store, tamper = backend
    records = fill(store, 4)
    columns = (
        "seq, workflow_id, run_id, type, payload, created_at, idempotency_key, prev_hash, hash"
    )
    tamper(
        [
            f"INSERT INTO {{log}} ({columns}) VALUES (1000, 'x', 'r', 't', '{{}}', "
            f"'{records[0].created_at.isoformat()}', 'stray', '{'0' * 64}', '{'1' * 64}')"
        ]
    )
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 1000)
    assert result.problem is not None and "inserted" in result.problem


def test_verify_detects_a_forged_last_record_by_the_chain_head(
    backend: tuple[AuditStore, Tamper],
) -> None:
    store, tamper = backend
    records = fill(store, 3)
    forged = records[2].model_copy(update={"payload": {"n": 2, "total_minor": 1}})
    forged = forged.model_copy(update={"hash": expected_hash(forged)})
    payload = json.dumps(forged.payload, sort_keys=True, separators=(",", ":"))
    tamper([f"UPDATE {{log}} SET payload = '{payload}', hash = '{forged.hash}' WHERE seq = 3"])
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert result.problem is not None and "chain head" in result.problem


def test_cli_audit_commands_name_the_corrupted_record(tmp_path: Path) -> None:
    from tests.devserver import cli_env, starter

    home = tmp_path / "home"
    store = SqliteAuditStore(home / "audit.sqlite3")
    fill(store, 4)
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("UPDATE audit_log SET payload = '{broken' WHERE seq = 2")
    conn.close()
    env = cli_env("127.0.0.1:1", home, "audit")
    verify = starter(env, "audit", "verify", check=False)
    assert verify.returncode == 1
    assert "BROKEN at record 2" in verify.stdout and "not valid JSON" in verify.stdout
    assert "Traceback" not in verify.stderr + verify.stdout
    show = starter(env, "audit", "show", "invoice-1", check=False)
    assert show.returncode == 1
    assert show.stderr.strip().splitlines() == [
        "error: audit record 2 is corrupted: payload is not valid JSON (run `audit verify`)"
    ]
