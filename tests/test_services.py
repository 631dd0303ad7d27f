"""`runtime.services`: stale and zombie pid files never block `up`, never get signalled;
the Web UI address follows VOUCHFLOW_UI_PORT."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.conftest import make_settings
from tests.devserver import ROOT, cli_env
from vouchflow.runtime import services
from vouchflow.settings import Settings

WORKER_MARKER = "vouchflow.runtime.worker"


def _state(pid: int) -> str:
    return (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]


def _wait_for_state(pid: int, wanted: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _state(pid) == wanted:
            return
        time.sleep(0.02)
    raise AssertionError(f"pid {pid} never reached state {wanted}")


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _pid_file(settings: Settings, pid: int) -> Path:
    run = settings.home / "run"
    run.mkdir(parents=True, exist_ok=True)
    path = run / "worker.pid"
    path.write_text(str(pid))
    return path


def test_a_live_worker_is_recognised(
    settings: Settings, children: list[subprocess.Popen[bytes]]
) -> None:
    # argv carries the worker module as the real worker's does.
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", WORKER_MARKER])
    children.append(live)
    pid_file = _pid_file(settings, live.pid)
    assert services._pid_alive(pid_file) == live.pid
    assert services.start_worker(settings) == "Worker already running"


def test_a_killed_worker_that_is_our_zombie_is_not_running(
    settings: Settings, children: list[subprocess.Popen[bytes]]
) -> None:
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", WORKER_MARKER])
    children.append(victim)
    pid_file = _pid_file(settings, victim.pid)
    victim.kill()
    _wait_for_state(victim.pid, "Z")  # killed, not yet reaped
    assert services._pid_alive(pid_file) is None
    assert "not running" in services.status(settings)[1]


def test_a_zombie_that_is_not_our_child_is_not_running(
    settings: Settings, children: list[subprocess.Popen[bytes]]
) -> None:
    # The zombie's parent is `sleep`, which never reaps: like a worker killed while its
    # parent (or init) has not got round to reaping it yet.
    holder = subprocess.Popen(
        [
            "sh",
            "-c",
            f"{sys.executable} -c 'import time; time.sleep(0.1)' worker.py & echo $!; "
            "exec sleep 30",
        ],
        stdout=subprocess.PIPE,
    )
    children.append(holder)
    assert holder.stdout is not None
    zombie = int(holder.stdout.readline())
    _wait_for_state(zombie, "Z")
    pid_file = _pid_file(settings, zombie)
    assert services._pid_alive(pid_file) is None
    with pytest.raises(ChildProcessError):
        os.waitpid(zombie, os.WNOHANG)  # not ours to reap: the state decides


def test_a_reused_pid_is_not_ours_and_is_never_signalled(
    settings: Settings, children: list[subprocess.Popen[bytes]]
) -> None:
    stranger = subprocess.Popen(["sleep", "30"])
    children.append(stranger)
    pid_file = _pid_file(settings, stranger.pid)
    assert services._pid_alive(pid_file) is None
    assert services.down(settings)[0] == "worker: not running"
    assert stranger.poll() is None  # `down` left the unrelated process alone
    assert not pid_file.exists()


def test_up_starts_a_worker_right_after_the_old_one_was_killed(
    tmp_path: Path, children: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "home")
    old = subprocess.Popen(
        [sys.executable, str(ROOT / "worker.py")],
        env={**os.environ, "TEMPORAL_ADDRESS": "127.0.0.1:1", "VOUCHFLOW_HOME": str(settings.home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children.append(old)
    _pid_file(settings, old.pid)
    old.kill()
    _wait_for_state(old.pid, "Z")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")  # the new worker exits by itself
    message = services.start_worker(settings)
    assert message.startswith("Worker started (pid ")
    new_pid = int(message.removeprefix("Worker started (pid ").rstrip(")"))
    assert new_pid != old.pid
    assert int((settings.home / "run" / "worker.pid").read_text()) == new_pid
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and services._pid_alive(settings.home / "run" / "worker.pid"):
        time.sleep(0.1)


def test_web_ui_url_follows_the_ui_port(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOUCHFLOW_UI_PORT", raising=False)
    assert services.web_ui_url(settings) == "http://localhost:8233"
    monkeypatch.setenv("VOUCHFLOW_UI_PORT", "18233")
    assert services.web_ui_url(settings) == "http://localhost:18233"
    monkeypatch.setenv("VOUCHFLOW_UI_PORT", "web")
    with pytest.raises(ValueError, match="VOUCHFLOW_UI_PORT must be a port number"):
        services.web_ui_url(settings)


def _services(env: dict[str, str], action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vouchflow.runtime.services", action],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_services_up_prints_the_ui_port_from_the_environment(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        metrics_port = probe.getsockname()[1]
    env = cli_env(
        dev_server.client.service_client.config.target_host,
        tmp_path / "home",
        "services-ui",
        VOUCHFLOW_UI_PORT="18299",
        VOUCHFLOW_METRICS_BIND=f"127.0.0.1:{metrics_port}",
    )
    try:
        up = _services(env, "up")
        assert up.returncode == 0, up.stderr
        assert "Web UI: http://localhost:18299" in up.stdout
        assert "8233" not in up.stdout
        assert "Web UI: http://localhost:18299" in _services(env, "status").stdout
    finally:
        down = _services(env, "down")
    assert "worker: stopped" in down.stdout
    env["VOUCHFLOW_UI_PORT"] = "not-a-port"
    bad = _services(env, "status")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: VOUCHFLOW_UI_PORT must be a port number, not 'not-a-port'"
