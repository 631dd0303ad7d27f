"""Every command fed malformed arguments: one line on stderr, non-zero exit, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.devserver import ROOT, cli_env
from vouchflow.cli.app import main
from vouchflow.runtime.errors import one_line, user_message

UNREACHABLE = "127.0.0.1:1"
Setup = Callable[[Path], list[str]]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    for name in list(os.environ):
        if name.startswith("VOUCHFLOW_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(path))
    monkeypatch.setenv("TEMPORAL_ADDRESS", UNREACHABLE)
    return path


def _sparse(tmp: Path) -> str:
    huge = tmp / "huge.pdf"
    with huge.open("wb") as fh:
        fh.truncate(1 << 30)
    return str(huge)


def _fifo(tmp: Path) -> str:
    path = tmp / "pipe.pdf"
    os.mkfifo(path)
    return str(path)


def _links_only(tmp: Path) -> str:
    folder = tmp / "links"
    folder.mkdir()
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    return str(folder)


def _not_a_database(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "audit.sqlite3").write_bytes(b"this is not a database" * 100)


CASES: list[tuple[str, Callable[[Path], list[str]], str, int]] = [
    ("no command", lambda t: [], "required", 2),
    ("unknown command", lambda t: ["frobnicate"], "invalid choice", 2),
    ("unknown option", lambda t: ["list", "--everything"], "unrecognized arguments", 2),
    ("start without path", lambda t: ["start"], "required", 2),
    ("start missing file", lambda t: ["start", str(t / "nope.pdf")], "no such file", 1),
    ("start empty folder", lambda t: ["start", str(t)], "no documents", 1),
    ("start links only", lambda t: ["start", _links_only(t)], "no documents", 1),
    ("start a FIFO", lambda t: ["start", _fifo(t)], "not a regular file", 1),
    ("start 1 GB sparse", lambda t: ["start", _sparse(t)], "over the 20,000,000-byte limit", 1),
    ("status unreachable", lambda t: ["status", "invoice-x"], "not reachable", 1),
    ("list bad limit", lambda t: ["list", "--limit", "many"], "not a whole number", 2),
    ("list zero limit", lambda t: ["list", "--limit", "0"], "between 1 and 10000", 2),
    ("approve no id", lambda t: ["approve"], "required", 2),
    ("approve nobody", lambda t: ["approve", "invoice-x"], "who is deciding", 1),
    ("approve no key", lambda t: ["approve", "invoice-x", "--as", "zed"], "no credential", 1),
    (
        "approve bad JSON",
        lambda t: ["approve", "invoice-x", "--as", "alice", "--corrections", "{bad"],
        "--corrections: not valid JSON",
        1,
    ),
    (
        "approve JSON list",
        lambda t: ["approve", "invoice-x", "--as", "alice", "--corrections", "[1, 2]"],
        "must be a JSON object",
        1,
    ),
    (
        "approve deep JSON",
        lambda t: ["approve", "invoice-x", "--as", "alice", "--corrections", "[" * 100_000],
        "--corrections:",
        1,
    ),
    ("approve unreachable", lambda t: ["approve", "invoice-x", "--as", "alice"], "make up", 1),
    (
        "approve long comment",
        lambda t: ["approve", "invoice-x", "--as", "alice", "--comment", "x" * 3000],
        "comment: String should have at most 2000 characters",
        1,
    ),
    (
        "approve huge workflow id",
        lambda t: ["approve", "invoice-" + "x" * 2000, "--as", "alice"],
        "a token is bound to one workflow id",
        1,
    ),
    ("reject no reason", lambda t: ["reject", "invoice-x", "--as", "alice"], "--reason", 2),
    (
        "reject blank reason",
        lambda t: ["reject", "invoice-x", "--as", "alice", "--reason", "  "],
        "must say why",
        1,
    ),
    ("revert nobody", lambda t: ["revert", "invoice-x"], "who is deciding", 1),
    ("cancel-email nobody", lambda t: ["cancel-email", "invoice-x"], "who is deciding", 1),
    ("extract directory", lambda t: ["extract", str(t)], "is a directory, not a file", 1),
    ("extract missing", lambda t: ["extract", str(t / "nope.pdf")], "no such file", 1),
    ("extract FIFO", lambda t: ["extract", _fifo(t)], "not a regular file", 1),
    ("extract 1 GB sparse", lambda t: ["extract", _sparse(t)], "over the", 1),
    ("audit no subcommand", lambda t: ["audit"], "required", 2),
    # explain reads the audit log alone (no Temporal needed): an unknown id is the error.
    ("explain unknown", lambda t: ["explain", "invoice-x"], "no workflow with id invoice-x", 1),
    ("watch missing folder", lambda t: ["watch", str(t / "nope")], "not a directory", 1),
    ("watch bad interval", lambda t: ["watch", str(t), "--every", "soon"], "not a duration", 1),
    ("watch huge interval", lambda t: ["watch", str(t), "--every", "1e999s"], "--every:", 1),
    ("watch short interval", lambda t: ["watch", str(t), "--every", "1s"], "at least", 1),
    ("unwatch unreachable", lambda t: ["unwatch", str(t)], "not reachable", 1),
    ("identity no subcommand", lambda t: ["identity"], "required", 2),
    ("identity bad id", lambda t: ["identity", "add", "a b"], "not a valid identity id", 1),
    (
        "token bad ttl",
        lambda t: [
            "token",
            "--as",
            "alice",
            "--workflow",
            "w",
            "--action",
            "approve",
            "--ttl=-5m",
        ],
        "--ttl",
        1,
    ),
]


@pytest.mark.parametrize(
    ("argv", "needle", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_arguments_are_one_line(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: Callable[[Path], list[str]],
    needle: str,
    code: int,
) -> None:
    main(["identity", "add", "alice"])
    capsys.readouterr()
    work = tmp_path / "work"
    work.mkdir()
    exit_code = main(argv(work))
    _, err = capsys.readouterr()
    assert exit_code == code, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and needle in err, err
    assert "Traceback" not in err
    stored = [p for p in (home / "blobs").rglob("*") if p.is_file()]
    assert stored == []  # nothing refused ever reaches the blob store


def test_a_damaged_audit_database_is_one_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _not_a_database(home)
    for argv in (["audit", "verify"], ["audit", "show", "invoice-x"]):
        assert main(argv) == 1
        _, err = capsys.readouterr()
        assert len(err.splitlines()) == 1 and err.startswith("error: ")
        assert "Traceback" not in err


def test_errors_from_a_real_process_are_one_line(tmp_path: Path) -> None:
    env = cli_env(UNREACHABLE, tmp_path / "home", "errors")
    for argv in (
        ["approve", "invoice-x", "--reviewer", "alice", "--corrections", "{"],
        ["extract", str(tmp_path)],
        ["list"],
    ):
        proc = subprocess.run(
            [sys.executable, str(ROOT / "starter.py"), *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1, proc.stderr
        lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
        assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr


async def test_unknown_workflow_ids_are_named(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    address = dev_server.client.service_client.config.target_host
    env = cli_env(address, tmp_path / "home", f"errors-{uuid.uuid4().hex[:6]}")
    missing = f"invoice-{uuid.uuid4().hex}"

    def starter(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "starter.py"), *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert starter("identity", "add", "alice").returncode == 0
    for argv in (
        ["status", missing],
        ["explain", missing],
        ["approve", missing, "--as", "alice"],
        ["reject", missing, "--as", "alice", "--reason", "no"],
        ["revert", missing, "--as", "alice"],
        ["cancel-email", missing, "--as", "alice"],
    ):
        proc = starter(*argv)
        assert proc.returncode == 1, (argv, proc.stdout, proc.stderr)
        assert proc.stderr.splitlines() == [f"error: no workflow with id {missing}"], argv


# ---- the formatter for errors shown to people --------------------------------------------


def test_user_message_hides_python_internals() -> None:
    import decimal
    import json

    class Thing:
        pass

    with pytest.raises(decimal.InvalidOperation) as invalid:
        decimal.Decimal("twelve")
    assert user_message(invalid.value) == "not a valid number"
    text = "corrections are not valid: InvalidOperation: [<class 'decimal.InvalidOperation'>]"
    assert one_line(text) == "corrections are not valid: not a valid number"
    shown = user_message(ValueError(f"cannot use {Thing()} here\n  at {id(Thing):#x}"))
    assert "object at" not in shown and "0x" not in shown and "\n" not in shown
    with pytest.raises(json.JSONDecodeError) as bad_json:
        json.loads("{")
    assert user_message(bad_json.value).startswith("not valid JSON (")
    assert user_message(KeyError("total")) == "missing 'total'"
    assert user_message(RuntimeError()) == "runtime"
    assert len(user_message(ValueError("x" * 5000))) <= 300


def test_user_message_summarises_validation_errors() -> None:
    from pydantic import BaseModel, ValidationError

    class Model(BaseModel):
        amount: int
        name: str

    with pytest.raises(ValidationError) as err:
        Model.model_validate({"amount": "lots", "name": 3})
    message = user_message(err.value)
    assert message.startswith("amount: ") and "name: " in message
    assert "pydantic" not in message and "\n" not in message


def test_status_and_explain_never_show_python_internals() -> None:
    import datetime as dt

    from schemas.common.decisions import DecisionRecord
    from schemas.invoice.events import InvoiceReceivedV1
    from schemas.invoice.workflow import InvoiceState
    from vouchflow.cli.explain import explain_lines
    from vouchflow.cli.render import status_lines, why

    leak = "corrections are not valid: InvalidOperation: [<class 'decimal.InvalidOperation'>]"
    state = InvoiceState(
        workflow_id="invoice-1",
        status="needs_attention",
        status_reason=f"stopped: {leak}\nat <schemas.Thing object at 0x7f1234567890>",
        event=InvoiceReceivedV1(
            event_id="e1",
            source="cli",
            filename="a.txt",
            document_sha256="0" * 64,
            size_bytes=1,
            submitted_by="clerk",
            received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ),
        decisions=[
            DecisionRecord(
                kind="approve",
                actor="alice",
                accepted=False,
                reason=leak,
                at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        ],
    )
    shown = "\n".join([*status_lines(state), why(state), *explain_lines(state, [], True)])
    assert "not a valid number" in shown
    for internal in ("<class", "object at", "0x7f", "InvalidOperation:"):
        assert internal not in shown, internal


@pytest.mark.parametrize(
    ("variable", "value", "needle"),
    [
        ("TEMPORAL_ADDRESS", "localhost:99999", "is not valid"),
        ("TEMPORAL_ADDRESS", "nonsense", "not reachable"),
        ("VOUCHFLOW_CONFIG", "BAD_TOML", "configuration: "),
        ("VOUCHFLOW_CONFIG", "BAD_VALUE", "configuration: intake.max_file_bytes"),
    ],
)
def test_bad_environment_is_one_line(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    needle: str,
) -> None:
    if value == "BAD_TOML":
        (tmp_path / "bad.toml").write_text("[intake\n")
        value = str(tmp_path / "bad.toml")
    elif value == "BAD_VALUE":
        (tmp_path / "bad.toml").write_text('[intake]\nmax_file_bytes = "x"\n')
        value = str(tmp_path / "bad.toml")
    monkeypatch.setenv(variable, value)
    assert main(["list"]) == 1
    _, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and needle in err, err


async def test_no_worker_is_one_line_not_a_hang(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    import time

    from tests.invoice_texts import TextInvoice

    address = dev_server.client.service_client.config.target_host
    # A task queue no worker polls: the workflow starts but nobody answers queries.
    env = cli_env(address, tmp_path / "home", f"nobody-{uuid.uuid4().hex[:6]}")
    invoice = tmp_path / "invoice.txt"
    invoice.write_bytes(TextInvoice(number=f"NW-{uuid.uuid4().hex[:6]}").bytes())

    def starter(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "starter.py"), *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )

    started = starter("start", str(invoice))
    assert started.returncode == 0, started.stderr
    workflow_id = started.stdout.split()[0]
    begin = time.monotonic()
    status = starter("status", workflow_id)
    assert time.monotonic() - begin < 40
    assert status.returncode == 1
    assert status.stderr.splitlines() == [
        f"error: no worker answered for {workflow_id} within 10 s "
        "(is the worker running? `make up`)"
    ]
    assert starter("identity", "add", "alice").returncode == 0
    approve = starter("approve", workflow_id, "--as", "alice")
    assert approve.returncode == 1 and "no worker answered" in approve.stderr
    assert len(approve.stderr.splitlines()) == 1
    await dev_server.client.get_workflow_handle(workflow_id).terminate("test finished")
