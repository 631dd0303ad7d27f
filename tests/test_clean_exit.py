"""Processes that talk to Temporal exit with their own code, never a crash at shutdown.

Temporal's Rust core keeps threads that can call into Python while the interpreter
finalises ("Fatal Python error: PyGILState_Release ... finalizing", exit 134/139).
Each exit is run many times because the race only shows now and then.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.devserver import ROOT, cli_env

RUNS = 20
PARALLEL = 3


def _run_many(argv: list[str], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    def once(_: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(once, range(RUNS)))


def _assert_clean(runs: list[subprocess.CompletedProcess[str]], expected: int, needle: str) -> None:
    codes = [run.returncode for run in runs]
    crashes = [run.stderr for run in runs if "Fatal Python error" in run.stderr]
    assert not crashes, crashes[0][-2000:]
    assert codes == [expected] * RUNS, codes
    for run in runs:
        assert run.stderr.strip().splitlines() == [run.stderr.strip()], run.stderr
        assert needle in run.stderr and "Traceback" not in run.stderr


def test_worker_exits_cleanly_every_time_when_temporal_is_unreachable(tmp_path: Path) -> None:
    env = cli_env("127.0.0.1:1", tmp_path / "home", "exit")
    runs = _run_many([str(ROOT / "worker.py")], env)
    _assert_clean(runs, 1, "Temporal is not reachable at 127.0.0.1:1")


def test_cli_exits_cleanly_every_time_after_talking_to_temporal(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    address = dev_server.client.service_client.config.target_host
    env = cli_env(address, tmp_path / "home", "exit")
    # `unwatch` connects, asks the server, gets NOT_FOUND and exits 1: a full round trip.
    runs = _run_many([str(ROOT / "starter.py"), "unwatch", str(tmp_path)], env)
    _assert_clean(runs, 1, "is not being watched")
