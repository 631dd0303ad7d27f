"""Shared fixtures: the real Temporal time-skipping test server, per-test state dirs."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from vouchflow.runtime.binaries import temporal_cli_path, temporal_test_server_path
from vouchflow.runtime.search_attributes import ALL_KEYS, register_search_attributes
from vouchflow.settings import Settings, load_settings


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh test server per test: time skipping is global to a server, so one test's
    timers (or an activity cut short by its worker stopping) must not hold up another's."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server_path()),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client, "default")
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="module")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (the binary `make demo` runs), one per test module: workflow ids
    derive from document bytes, so modules that submit the same sample must not share one."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli_path()),
        search_attributes=ALL_KEYS,
        data_converter=pydantic_data_converter,
    )
    try:
        yield env
    finally:
        await env.shutdown()


def make_settings(home: Path, **overrides: Any) -> Settings:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHFLOW_")}
    env["VOUCHFLOW_HOME"] = str(home)
    return load_settings(env=env, **overrides)


@pytest.fixture(autouse=True)
def _fresh_circuit_breakers() -> None:
    """Provider circuits are per process: one test's failures must not open another's."""
    from vouchflow.llm.circuit import reset_breakers

    reset_breakers()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")
