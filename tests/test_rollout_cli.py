"""`vouchflow rollout set|show|report` from the command line: a stage change needs an
operator's own key (a typed name proves nothing), is refused for non-operators, and is
in the audit log before the stage file moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from vouchflow.cli.app import main as cli_main
from vouchflow.identity.keys import ensure_person
from vouchflow.rollout.stages import read_stage
from vouchflow.stores.audit import open_audit_store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("VOUCHFLOW_HOME", str(path))
    for person in ("alice", "bob"):
        ensure_person(path, person)
    return path


def test_only_a_proven_operator_sets_a_stage_and_it_is_audited(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["rollout", "set", "invoice", "suggest", "--as", "bob"]) == 1
    assert "bob is not a rollout operator" in capsys.readouterr().err
    assert cli_main(["rollout", "set", "invoice", "suggest", "--as", "mallory"]) == 1
    capsys.readouterr()
    assert cli_main(["rollout", "set", "invoice", "shadow", "--as", "alice"]) == 1
    assert "needs a candidate" in capsys.readouterr().err
    assert read_stage(home, "invoice").stage == "full"

    code = cli_main(
        ["rollout", "set", "invoice", "shadow", "--candidate", "openai:gpt-5-mini", "--as", "alice"]
    )
    assert code == 0
    assert "full -> shadow by alice" in capsys.readouterr().out
    stage = read_stage(home, "invoice")
    assert (stage.stage, stage.candidate_provider, stage.set_by) == (
        "shadow",
        "openai:gpt-5-mini",
        "alice",
    )
    records = open_audit_store(make_settings(home)).trail("rollout:invoice")
    assert [r.type for r in records] == ["rollout.stage_set"]
    assert records[0].payload["actor"] == "alice" and records[0].payload["token_id"]
    assert records[0].payload["to"]["stage"] == "shadow"

    assert cli_main(["rollout", "show"]) == 0
    shown = capsys.readouterr().out
    assert "invoice  shadow  candidate openai:gpt-5-mini" in shown
    assert "triage   full" in shown
    assert cli_main(["rollout", "report"]) == 0
    assert "no shadow comparisons yet" in capsys.readouterr().out
