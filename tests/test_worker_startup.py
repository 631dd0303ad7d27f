"""Misconfiguration stops the worker at start-up with one clear line, before it polls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.devserver import ROOT, cli_env


def _run_worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "worker.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("setting", "missing"),
    [
        ({"VOUCHFLOW_EXTRACTOR": "openai:gpt-5-mini"}, "OPENAI_API_KEY"),
        ({"VOUCHFLOW_EXTRACTOR": "anthropic:claude-sonnet-4-6,rules"}, "ANTHROPIC_API_KEY"),
        ({"VOUCHFLOW_DESTINATION": "xero"}, "XERO_CLIENT_ID"),
        ({"VOUCHFLOW_NOTIFIER": "slack"}, "SLACK_BOT_TOKEN"),
        ({"VOUCHFLOW_EMAIL": "smtp"}, "SMTP_HOST"),
    ],
)
def test_missing_credentials_are_a_startup_error(
    tmp_path: Path, setting: dict[str, str], missing: str
) -> None:
    # Port 1 is never a Temporal server: the check must fail before any connection.
    env = cli_env("127.0.0.1:1", tmp_path / "home", "startup", **setting)
    for name in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "XERO_CLIENT_ID",
        "SLACK_BOT_TOKEN",
        "SMTP_HOST",
    ):
        env.pop(name, None)
    proc = _run_worker(env)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "configuration error" in line]
    assert len(lines) == 1 and missing in lines[0], proc.stderr


def test_unreachable_temporal_is_one_line_and_non_zero(tmp_path: Path) -> None:
    proc = _run_worker(cli_env("127.0.0.1:1", tmp_path / "home", "startup"))
    assert proc.returncode == 1
    assert "make up" in proc.stderr and "127.0.0.1:1" in proc.stderr
