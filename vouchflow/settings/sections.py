"""What the workflows' own sections of the configuration file ([triage], [proposal], ...)
share: how a section is read (from the same file as the rest, with environment
overrides), the settings of a step where a model proposes, and the start-up check that
every provider in its chain can be called.

Sections are frozen: they travel through workflow histories inside activity inputs.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, PositiveInt

from vouchflow.settings.config import DEFAULT_CONFIG, Duration

S = TypeVar("S", bound=BaseModel)

# What a provider kind cannot be called without.
PROVIDER_NEEDS = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "openai-compatible": "OPENAI_BASE_URL",
}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelStepSettings(Section):
    """A step where a model proposes: its provider chain and the limits of each call.
    Each step's subclass sets the defaults that differ (prompt, input size, budget)."""

    # rules | openai:MODEL | anthropic:MODEL | openai-compatible:MODEL, or a comma list
    # tried in order (a provider that fails falls through to the next).
    chain: str = "rules"
    prompt_name: str
    prompt_label: str = "production"
    # Text longer than this is cut before a model sees it (recorded in the notes).
    max_input_chars: PositiveInt
    max_output_tokens: PositiveInt = 512
    token_budget_per_workflow: PositiveInt
    timeout: Duration = dt.timedelta(seconds=30)


def load_section(
    model: type[S],
    name: str,
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, tuple[str, str]] | None = None,
) -> S:
    """The `[name]` section of ``path`` (else ``$VOUCHFLOW_CONFIG``, else the packaged
    file); absent = the defaults. ``overrides`` maps an environment variable to the
    (sub-section, key) it replaces when set."""
    environ = os.environ if env is None else env
    config_path = path or Path(environ.get("VOUCHFLOW_CONFIG", str(DEFAULT_CONFIG)))
    raw: dict[str, Any] = {}
    if config_path.exists():
        raw = tomllib.loads(config_path.read_text(encoding="utf-8")).get(name, {})
    for variable, (sub, key) in (overrides or {}).items():
        if environ.get(variable):
            raw = {**raw, sub: {**raw.get(sub, {}), key: environ[variable]}}
    return model.model_validate(raw)


def chain_problems(chain: str, where: str, env: Mapping[str, str]) -> list[str]:
    """Why a provider chain cannot run here (named by ``where``), e.g. a missing key;
    empty when every provider in it can be called."""
    from vouchflow.invoice.extraction.factory import ConfigError, parse_chain, split_provider

    try:
        providers = parse_chain(chain)
    except ConfigError as err:
        return [f"{where}: {err}"]
    problems: list[str] = []
    for provider in providers:
        kind, _ = split_provider(provider)
        if kind in PROVIDER_NEEDS and not env.get(PROVIDER_NEEDS[kind]):
            problems.append(f"{where} uses {provider}, which needs {PROVIDER_NEEDS[kind]}")
    return problems
