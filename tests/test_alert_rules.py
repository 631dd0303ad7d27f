"""The shipped alert rules are valid Prometheus rules and fire (and stay quiet) where
their promtool unit tests say; the thresholds are the documented defaults."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

RULES = Path(__file__).resolve().parent.parent / "deploy" / "prometheus"


def promtool() -> str:
    # Installed by `make promtool` (Debian's prometheus package), which CI runs.
    found = shutil.which("promtool")
    assert found, "promtool not found: run `make promtool` (Debian package prometheus)"
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], cwd=RULES, capture_output=True, text=True, timeout=120, check=False
    )


def test_promtool_checks_the_rules() -> None:
    result = run("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 12 rules found" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    result = run("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_broken_threshold_fails_the_unit_tests(tmp_path: Path) -> None:
    """The unit tests pin the thresholds: 3 % for schema failures would miss the 2 % case."""
    (tmp_path / "alerts.yml").write_text(
        (RULES / "alerts.yml").read_text().replace("rate1h > 0.01", "rate1h > 0.03")
    )
    shutil.copy(RULES / "alerts_test.yml", tmp_path)
    result = subprocess.run(
        [promtool(), "test", "rules", "alerts_test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "VouchflowSchemaFailureRateHigh" in result.stdout + result.stderr


def _alerts() -> dict[str, dict[str, Any]]:
    groups = yaml.safe_load((RULES / "alerts.yml").read_text())["groups"]
    return {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}


def test_default_thresholds() -> None:
    alerts = _alerts()
    assert alerts["VouchflowSchemaFailureRateHigh"]["expr"].endswith("> 0.01")
    assert alerts["VouchflowReviewOverrideRateHigh"]["expr"].endswith("> 0.08")
    latency = alerts["VouchflowDecisionLatencyHigh"]
    assert latency["expr"].endswith("> 6") and latency["for"] == "10m"
    assert "> 0" in alerts["VouchflowDeadLetter"]["expr"]
    assert "vouchflow_dead_letters_total" in alerts["VouchflowRunParked"]["expr"]
    assert "VouchflowRejectionRateSpike" in alerts
    for rule in alerts.values():
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
