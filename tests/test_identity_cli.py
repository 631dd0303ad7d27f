"""Command-line identity: credentials, tokens, and who signs a decision or a submission."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.devserver import ROOT
from vouchflow.cli.app import main, submitter_signer
from vouchflow.cli.demo import DEMO_SUBMITTER, demo_commands, ensure_demo_credentials
from vouchflow.identity.keys import load_trusted
from vouchflow.identity.tokens import ProofRefused, verify_decision_token
from vouchflow.settings import Settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    for name in list(os.environ):
        if name.startswith("VOUCHFLOW_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_identity_add_creates_a_private_trusted_key(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "identity", "add", "Alice")
    key = home / "identity" / "people" / "alice.pem"
    assert code == 0
    assert f"alice: credential created: {key.resolve()}" in out
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "alice" in load_trusted(home).people
    code, out, _ = run(capsys, "identity", "add", "alice")
    assert code == 0 and "already had a credential" in out
    assert run(capsys, "identity", "add", "../../etc/passwd")[0] == 1


def test_identity_list_and_revoke(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "nobody is trusted yet" in run(capsys, "identity", "list")[1]
    run(capsys, "identity", "add", "alice")
    run(capsys, "identity", "add", "bob")
    code, out, _ = run(capsys, "identity", "list")
    assert code == 0
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["person", "alice"],
        ["person", "bob"],
    ]
    code, out, _ = run(capsys, "identity", "revoke", "bob")
    assert code == 0 and "no longer trusted" in out
    assert "bob" not in load_trusted(home).people
    code, out, err = run(capsys, "identity", "revoke", "bob")
    assert (code, out) == (1, "")
    assert err == "error: bob is not trusted (see `identity list`)\n"


def _claims(home: Path, token: str, workflow_id: str, action: str) -> tuple[str, str]:
    actor = verify_decision_token(
        token, trusted=load_trusted(home), workflow_id=workflow_id, action=action
    )
    return actor.person, actor.channel


def test_token_is_bound_to_person_workflow_and_action(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "identity", "add", "alice")
    code, out, err = run(
        capsys, "token", "--as", "alice", "--workflow", "invoice-1", "--action", "approve"
    )
    assert (code, err) == (0, "")
    token = out.strip()
    assert _claims(home, token, "invoice-1", "approve") == ("alice", "temporal-cli")
    with pytest.raises(ProofRefused, match="another workflow"):
        _claims(home, token, "invoice-2", "approve")
    with pytest.raises(ProofRefused, match="not 'reject'"):
        _claims(home, token, "invoice-1", "reject")
    code, out, _ = run(
        capsys,
        "token",
        "--as",
        "alice",
        "--workflow",
        "invoice-1",
        "--action",
        "cancel-email",
        "--ttl",
        "90s",
    )
    assert _claims(home, out.strip(), "invoice-1", "cancel_email")[0] == "alice"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90 + 31)
    with pytest.raises(ProofRefused, match="expired"):
        verify_decision_token(
            out.strip(),
            trusted=load_trusted(home),
            workflow_id="invoice-1",
            action="cancel_email",
            now=later,
        )


def test_token_key_and_identity_from_the_environment(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "identity", "add", "alice")
    run(capsys, "identity", "add", "bob")
    bob_key = home / "identity" / "people" / "bob.pem"
    # A key alone says who: the person whose trusted public key it is.
    code, out, _ = run(
        capsys, "token", "--key", str(bob_key), "--workflow", "w", "--action", "reject"
    )
    assert code == 0 and _claims(home, out.strip(), "w", "reject")[0] == "bob"
    monkeypatch.setenv("VOUCHFLOW_IDENTITY", "alice")
    code, out, _ = run(capsys, "token", "--workflow", "w", "--action", "revert")
    assert _claims(home, out.strip(), "w", "revert")[0] == "alice"
    monkeypatch.setenv("VOUCHFLOW_IDENTITY_KEY", str(bob_key))
    code, out, err = run(capsys, "token", "--workflow", "w", "--action", "revert")
    assert code == 1 and err == f"error: the key in {bob_key} is not alice's trusted key\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--as", "alice", "--ttl", "2h"], "--ttl must be more than 0 and at most 60m"),
        (["--as", "alice", "--ttl", "0s"], "--ttl must be more than 0 and at most 60m"),
        (["--as", "alice", "--ttl", "soon"], "--ttl: not a duration: 'soon'"),
        (["--as", "alice", "--ttl", "1e999s"], "--ttl:"),
        (["--as", "alice", "--action", "pay"], "unknown action 'pay'"),
        (["--as", "nobody"], "no credential for nobody"),
        (["--as", "Not An Id!"], "not a valid identity id"),
        ([], "who is deciding? pass --as ID"),
        (["--as", "alice", "--key", "/nonexistent/key.pem"], "no credential at /nonexistent"),
        (["--as", "alice", "--workflow", " "], "--workflow must name a workflow id"),
    ],
)
def test_token_errors_are_one_line(
    home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    run(capsys, "identity", "add", "alice")
    base = {"--workflow": "invoice-1", "--action": "approve"}
    for flag in argv[::2]:
        base.pop(flag, None)
    extra = [part for pair in base.items() for part in pair]
    code, out, err = run(capsys, "token", *argv, *extra)
    assert code != 0 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert message in err and "Traceback" not in err


def test_a_malformed_key_file_is_one_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "key.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    code, _, err = run(capsys, "token", "--key", str(bad), "--workflow", "w", "--action", "approve")
    assert code == 1 and len(err.splitlines()) == 1 and "is not a private key" in err


def test_submitter_without_credential_is_unproven(home: Path) -> None:
    settings = make_settings(home)
    assert submitter_signer(settings, "walter", None) is None
    assert submitter_signer(settings, "Not An Id!", None) is None
    ensure_demo_credentials(settings)
    signer = submitter_signer(settings, DEMO_SUBMITTER, None)
    assert signer is not None
    token = signer.token("invoice-abc", "submit")
    assert _claims(home, token, "invoice-abc", "submit") == (DEMO_SUBMITTER, "cli")


def test_demo_makes_every_credential_its_commands_need(home: Path) -> None:
    settings: Settings = make_settings(home)
    people = ensure_demo_credentials(settings)
    approvers = [a.id for a in settings.approval.approvers]
    assert approvers and people == [*approvers, DEMO_SUBMITTER]
    trusted = load_trusted(home)
    assert set(trusted.people) == set(people)
    assert trusted.services["gateway"].channels == ["review-page", "slack", "webhook"]
    assert (home / "identity" / "services" / "gateway.pem").exists()
    before = (home / "identity" / "people" / "alice.pem").read_bytes()
    ensure_demo_credentials(settings)  # a second demo keeps existing keys
    assert (home / "identity" / "people" / "alice.pem").read_bytes() == before


def test_the_printed_temporal_signal_command_builds_valid_json(home: Path) -> None:
    settings = make_settings(home)
    ensure_demo_credentials(settings)
    commands = demo_commands("invoice-0123", "alice")
    assert "--as alice" in commands[0] and "--as alice" in commands[1]
    signal = commands[2]
    # Run the shell substitution exactly as printed, but echo the --input instead.
    quoted = signal.split("--input ", 1)[1].replace(".venv/bin/python", sys.executable)
    env = {**os.environ, "VOUCHFLOW_HOME": str(home)}
    proc = subprocess.run(
        ["sh", "-c", f"echo {quoted}"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["comment"] == "ok"
    assert _claims(home, payload["token"], "invoice-0123", "approve") == (
        "alice",
        "temporal-cli",
    )
