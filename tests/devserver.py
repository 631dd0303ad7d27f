"""Helpers for tests on the real Temporal dev server (the binary `make demo` uses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from vouchflow.runtime.binaries import temporal_cli_path

ROOT = Path(__file__).resolve().parent.parent


def cli_env(address: str, home: Path, task_queue: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHFLOW_")}
    env.update(
        TEMPORAL_ADDRESS=address,
        VOUCHFLOW_HOME=str(home),
        VOUCHFLOW_TASK_QUEUE=task_queue,
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [sys.executable, str(ROOT / "worker.py")],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def starter(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "starter.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"starter {args} failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}"
        )
    return proc


def temporal_cli(address: str, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(temporal_cli_path()), *args, "--address", address],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0:
        raise AssertionError(f"temporal {args} failed: {proc.stdout}\n{proc.stderr}")
    return proc


def status_json(env: dict[str, str], workflow_id: str) -> dict[str, Any]:
    return json.loads(starter(env, "status", workflow_id, "--json").stdout)


def wait_status(
    env: dict[str, str], workflow_id: str, *statuses: str, timeout_s: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        proc = starter(env, "status", workflow_id, "--json", check=False)
        if proc.returncode == 0:
            state = json.loads(proc.stdout)
            if state["status"] in statuses:
                return state
        time.sleep(0.3)
    raise AssertionError(
        f"{workflow_id} never reached {statuses}; last: {state.get('status')} "
        f"({state.get('status_reason')})"
    )
