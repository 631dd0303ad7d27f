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
from urllib.parse import urlsplit, urlunsplit

from vouchflow.runtime.binaries import temporal_cli_path
from vouchflow.runtime.search_attributes import dev_server_flags
from vouchflow.settings import Settings, load_settings


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return (host or "localhost"), int(port)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# What a live process of ours has in its command line, per pid file.
_MARKERS = {"worker": "vouchflow.runtime.worker", "temporal": "start-dev"}


def _pid_alive(pid_file: Path, marker: str | None = None) -> int | None:
    """The pid in ``pid_file`` if that process is alive and ours, else None.

    A pid file outlives its process: a killed worker is a zombie until its parent
    reaps it, and later its pid may belong to someone else entirely. So: reap it if it
    is our child, treat zombie/dead states as gone, and check the command line (by
    default the marker for the pid file's name) before trusting, or signalling, a pid.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if pid <= 1:
        return None
    marker = marker if marker is not None else _MARKERS.get(pid_file.stem)
    return pid if process_is_ours(pid, marker) else None


def process_is_ours(pid: int, marker: str | None) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False  # our own child, exited just now
    proc = Path("/proc") / str(pid)
    if Path("/proc/self").exists():
        try:
            stat_line = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            return False
        except OSError:
            return _signal_zero(pid)
        # Field 3, after the command name in parentheses (which may itself hold ')').
        state = stat_line.rpartition(")")[2].split()[:1]
        if not state or state[0] in ("Z", "X", "x"):
            return False
        # Otherwise the pid was reused by an unrelated process.
        return not marker or marker.encode() in cmdline
    return _signal_zero(pid)


def _signal_zero(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _spawn(cmd: list[str], log_file: Path, pid_file: Path, env: dict[str, str]) -> int:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
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
    ui_port = ui_port_from_env() or 8233
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


def ui_port_from_env() -> int | None:
    """VOUCHFLOW_UI_PORT, if set (the port the dev server's Web UI listens on)."""
    raw = os.environ.get("VOUCHFLOW_UI_PORT", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"VOUCHFLOW_UI_PORT must be a port number, not {raw[:20]!r}")
    return int(raw)


def web_ui_url(settings: Settings) -> str:
    """The Web UI address to show: the configured URL, on VOUCHFLOW_UI_PORT when set."""
    url = settings.temporal.web_ui_url.rstrip("/")
    port = ui_port_from_env()
    if port is None:
        return url
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    host = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme or "http", f"{host}:{port}", parts.path, "", ""))


async def _register_attributes(settings: Settings) -> None:
    from vouchflow.runtime.client import connect
    from vouchflow.runtime.search_attributes import register_search_attributes

    client = await connect(settings)
    await register_search_attributes(client, settings.temporal.namespace)


def start_worker(settings: Settings) -> str:
    pid_file = settings.home / "run" / "worker.pid"
    if _pid_alive(pid_file):
        return "Worker already running"
    env = dict(os.environ, VOUCHFLOW_HOME=str(settings.home.resolve()))
    env.setdefault("VOUCHFLOW_METRICS_BIND", "127.0.0.1:9464")
    pid = _spawn(
        [sys.executable, "-m", "vouchflow.runtime.worker"],
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
        f"Web UI: {web_ui_url(settings)}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.services")
    parser.add_argument("action", choices=["up", "down", "status", "server"])
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        if args.action == "up":
            lines = up(settings)
        elif args.action == "server":
            lines = [start_dev_server(settings)]
        elif args.action == "down":
            lines = down(settings)
        else:
            lines = status(settings)
        ui = web_ui_url(settings)
    except Exception as err:  # one line, never a traceback
        from vouchflow.runtime.errors import user_message

        print(f"error: {user_message(err)}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    if args.action == "up":
        print(f"Web UI: {ui}   logs: {settings.home / 'logs'}")
        print("Stop everything with: make down")
    return 0


if __name__ == "__main__":
    from vouchflow.runtime.exit import exit_process

    exit_process(main())
