"""docker-compose.yml can't run here (no Docker engine); check its structure instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from vouchflow.runtime.search_attributes import ALL_KEYS

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_topology() -> None:
    services = _compose()["services"]
    assert {"postgresql", "temporal", "temporal-ui", "worker"} <= set(services)
    assert services["temporal"]["environment"]["DB"].startswith("postgres")
    assert services["temporal"]["environment"]["POSTGRES_SEEDS"] == "postgresql"
    assert services["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert services["worker"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert services["worker"]["environment"]["VOUCHFLOW_AUDIT_DSN"].startswith("postgresql://")


def test_compose_references_are_consistent() -> None:
    compose = _compose()
    services = compose["services"]
    declared_volumes = set(compose.get("volumes", {}))
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        for dep in service.get("depends_on", {}):
            assert dep in services, f"{name} depends on unknown service {dep}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"
        for port in service.get("ports", []):
            assert re.fullmatch(r"\d+:\d+", port), port
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / build["dockerfile"]).exists()


def test_dockerfile_runs_the_worker() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM python:3.11" in dockerfile
    assert 'CMD ["python", "worker.py"]' in dockerfile


def test_production_registers_every_search_attribute() -> None:
    script = (ROOT / "deploy" / "register-search-attributes.sh").read_text()
    for key in ALL_KEYS:
        assert f"{key.name}=" in script
