"""`prompt promote` is gated by the version's eval suite; an override needs an
authenticated operator and is audited with their proof."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import make_settings
from vouchflow.cli.app import main as cli_main
from vouchflow.evals.suites import PACKAGED_SUITES, SUITES_ENV
from vouchflow.evals.yaml_files import read_cases, write_dataset
from vouchflow.prompts.registry import read_labels
from vouchflow.stores.audit import open_audit_store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("VOUCHFLOW_HOME", str(path))
    for name in ("VOUCHFLOW_IDENTITY", "VOUCHFLOW_IDENTITY_KEY", "VOUCHFLOW_AUDIT_DSN"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture
def failing_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The packaged suites, where a golden invoice expects a total nobody printed."""
    root = tmp_path / "suites"
    shutil.copytree(PACKAGED_SUITES, root)
    path = root / "invoice_extraction" / "golden.yaml"
    cases = read_cases(path)
    cases[0]["expected_output"]["total_minor"] = 1
    write_dataset(path, "golden", cases)
    monkeypatch.setenv(SUITES_ENV, str(root))
    return root


def _production(home: Path) -> str:
    return read_labels(home)["invoice_extraction"]["production"]


def _audit(home: Path, type_: str) -> list[dict[str, object]]:
    store = open_audit_store(make_settings(home))
    return [r.payload for r in store.all_records() if r.type == type_]


def test_a_passing_suite_promotes_and_is_audited(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["prompt", "rollback", "invoice_extraction"]) == 0
    assert _production(home) == "1"
    assert cli_main(["prompt", "promote", "invoice_extraction", "2"]) == 0
    out = capsys.readouterr().out
    assert "provider cassette" in out and "PASS" in out
    assert _production(home) == "2"
    [promoted] = _audit(home, "prompt.promoted")
    assert promoted["version"] == "2" and promoted["from"] == "1"
    assert promoted["suite"]["passed"] is True  # type: ignore[index]


def test_a_failing_suite_refuses_the_promotion(
    home: Path, failing_suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["prompt", "rollback", "invoice_extraction"]) == 0
    assert cli_main(["prompt", "promote", "invoice_extraction", "2"]) == 3
    out = capsys.readouterr().out
    assert "FAIL" in out and "promotion refused" in out and "(auto_route_precision)" in out
    assert _production(home) == "1"
    assert _audit(home, "prompt.promoted") == []
    assert _audit(home, "prompt.promote_override") == []


def test_an_override_needs_a_proven_operator_and_a_reason(
    home: Path, failing_suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["prompt", "rollback", "invoice_extraction"]) == 0
    # A typed name without a credential proves nothing.
    args = ["prompt", "promote", "invoice_extraction", "2", "--override", "--as", "mallory"]
    assert cli_main([*args, "--reason", "trust me"]) == 3
    assert "override refused" in capsys.readouterr().out
    assert _production(home) == "1"

    assert cli_main(["identity", "add", "alice"]) == 0
    ok = ["prompt", "promote", "invoice_extraction", "2", "--override", "--as", "alice"]
    assert cli_main(ok) == 3  # no reason given
    assert "needs a reason" in capsys.readouterr().out
    assert _production(home) == "1"

    # Revoked: the key still exists but is no longer trusted.
    assert cli_main(["identity", "revoke", "alice"]) == 0
    assert cli_main([*ok, "--reason", "metric target under review"]) == 3
    assert _production(home) == "1"
    assert _audit(home, "prompt.promote_override") == []


def test_an_override_by_an_authenticated_operator_is_audited(
    home: Path, failing_suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["prompt", "rollback", "invoice_extraction"]) == 0
    assert cli_main(["identity", "add", "alice"]) == 0
    args = ["prompt", "promote", "invoice_extraction", "2", "--override", "--as", "alice"]
    assert cli_main([*args, "--reason", "hotfix for supplier X, suite fix follows"]) == 0
    out = capsys.readouterr().out
    assert "override by alice" in out
    assert _production(home) == "2"
    [record] = _audit(home, "prompt.promote_override")
    assert record["actor"] == "alice"
    assert record["reason"] == "hotfix for supplier X, suite fix follows"
    assert record["token_id"] and record["channel"] == "cli"
    assert record["failing_metrics"] == ["auto_route_precision"]
    assert record["from"] == "1" and record["version"] == "2"


def test_rollback_is_never_gated(home: Path, failing_suite: Path) -> None:
    assert cli_main(["prompt", "rollback", "invoice_extraction"]) == 0
    assert _production(home) == "1"
