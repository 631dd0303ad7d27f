"""Start and stop the embedded Temporal dev server and the worker in the background.

`python -m runtime.services up|down|status` (what `make up` / `make down` run).
State, logs and pid files live in the state directory (VOUCHFLOW_HOME, default
.vouchflow/), so the dev server's SQLite history survives restarts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from runtime.binaries import temporal_cli_path
from runtime.search_attributes import dev_server_flags
from settings import PROJECT_ROOT_PATH, Settings, load_settings


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return (host or "localhost"), int(port)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _spawn(cmd: list[str], log_file: Path, pid_file: Path, env: dict[str, str]) -> int:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=PROJECT_ROOT_PATH,
            env=env,
            start_new_session=True,  # survives the shell that ran `make up`
        )
    pid_file.write_text(str(proc.pid))
    return proc.pid


def start_dev_server(settings: Settings) -> str:
    host, port = _host_port(settings.temporal.address)
    run_dir = settings.home / "run"
    if port_open(host, port):
        # Someone else's server (or one started by hand): make sure our attributes exist.
        asyncio.run(_register_attributes(settings))
        return f"Temporal already running at {settings.temporal.address}"
    ui_port = int(os.environ.get("VOUCHFLOW_UI_PORT", "8233"))
    cmd = [
        str(temporal_cli_path()),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1" if host in ("localhost", "127.0.0.1") else host,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--db-filename",
        str((settings.home / "temporal.db").resolve()),
        "--namespace",
        settings.temporal.namespace,
        "--log-level",
        "warn",
        *dev_server_flags(),
    ]
    _spawn(cmd, settings.home / "logs" / "temporal.log", run_dir / "temporal.pid", dict(os.environ))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if port_open(host, port):
            return f"Temporal dev server started at {settings.temporal.address}"
        time.sleep(0.2)
    raise RuntimeError(
        f"Temporal dev server did not open {settings.temporal.address} within 60 s; "
        f"see {settings.home / 'logs' / 'temporal.log'}"
    )


async def _register_attributes(settings: Settings) -> None:
    from runtime.client import connect
    from runtime.search_attributes import register_search_attributes

    client = await connect(settings)
    await register_search_attributes(client, settings.temporal.namespace)


def start_worker(settings: Settings) -> str:
    pid_file = settings.home / "run" / "worker.pid"
    if _pid_alive(pid_file):
        return "Worker already running"
    env = dict(os.environ, VOUCHFLOW_HOME=str(settings.home.resolve()))
    env.setdefault("VOUCHFLOW_METRICS_BIND", "127.0.0.1:9464")
    pid = _spawn(
        [sys.executable, str(PROJECT_ROOT_PATH / "worker.py")],
        settings.home / "logs" / "worker.log",
        pid_file,
        env,
    )
    return f"Worker started (pid {pid})"


def _stop(pid_file: Path, name: str) -> str:
    pid = _pid_alive(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return f"{name}: not running"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _pid_alive(pid_file):
        time.sleep(0.1)
    if _pid_alive(pid_file):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return f"{name}: stopped (pid {pid})"


def up(settings: Settings) -> list[str]:
    settings.home.mkdir(parents=True, exist_ok=True)
    return [start_dev_server(settings), start_worker(settings)]


def down(settings: Settings) -> list[str]:
    run_dir = settings.home / "run"
    messages = [_stop(run_dir / "worker.pid", "worker")]
    for extra in sorted(run_dir.glob("*.pid")):
        if extra.stem not in ("worker", "temporal"):
            messages.append(_stop(extra, extra.stem))
    messages.append(_stop(run_dir / "temporal.pid", "Temporal dev server"))
    return messages


def status(settings: Settings) -> list[str]:
    host, port = _host_port(settings.temporal.address)
    run_dir = settings.home / "run"
    worker = _pid_alive(run_dir / "worker.pid")
    return [
        f"Temporal {settings.temporal.address}: {'up' if port_open(host, port) else 'down'}",
        f"worker: {f'running (pid {worker})' if worker else 'not running'}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.services")
    parser.add_argument("action", choices=["up", "down", "status", "server"])
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.action == "up":
        lines = up(settings)
    elif args.action == "server":
        lines = [start_dev_server(settings)]
    elif args.action == "down":
        lines = down(settings)
    else:
        lines = status(settings)
    for line in lines:
        print(line)
    if args.action == "up":
        print(f"Web UI: {settings.temporal.web_ui_url}   logs: {settings.home / 'logs'}")
        print("Stop everything with: make down")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
