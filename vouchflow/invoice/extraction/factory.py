"""Extractor specs: `rules`, `openai:MODEL`, `anthropic:MODEL`, `openai-compatible:MODEL`.

A comma list is a fallback chain (`openai:gpt-5-mini,anthropic:claude-sonnet-4-5,rules`).
`check_extractor_config` runs at worker start-up so a missing key fails loudly there,
not on the first invoice at 3 a.m.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import ValidationError

from vouchflow.settings import Settings

LLM_KINDS = ("openai", "anthropic", "openai-compatible")
_ENV_NAME = "VOUCHFLOW_EXTRACTOR"


class ConfigError(ValueError):
    """The configuration cannot work; the message says what to set."""


def split_provider(provider: str) -> tuple[str, str | None]:
    """'openai:gpt-5-mini' -> ('openai', 'gpt-5-mini'); 'rules' -> ('rules', None)."""
    kind, sep, model = provider.strip().partition(":")
    kind = kind.strip()
    if kind == "rules":
        if sep:
            raise ConfigError(f"extractor {provider!r}: rules takes no model")
        return "rules", None
    if kind not in LLM_KINDS:
        raise ConfigError(
            f"unknown extractor {provider!r}: use rules, openai:MODEL, anthropic:MODEL"
            " or openai-compatible:MODEL"
        )
    model = model.strip()
    if not model:
        raise ConfigError(f"extractor {provider!r} needs a model, e.g. {kind}:MODEL")
    return kind, model


def parse_chain(spec: str) -> list[str]:
    """'a, b ,rules' -> ['a', 'b', 'rules'] (each validated, duplicates refused)."""
    chain: list[str] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            raise ConfigError(f"extractor chain {spec!r} has an empty entry")
        kind, model = split_provider(part)
        normalised = kind if model is None else f"{kind}:{model}"
        if normalised in chain:
            raise ConfigError(f"extractor chain {spec!r} lists {normalised} twice")
        chain.append(normalised)
    if not chain:
        raise ConfigError("no extractor configured")
    return chain


def check_extractor_config(settings: Settings, env: Mapping[str, str] = os.environ) -> None:
    """Raise ConfigError unless every provider in the chain can be called."""
    spec = settings.extraction.extractor
    chain = parse_chain(spec)
    problems: list[str] = []
    for provider in chain:
        kind, _ = split_provider(provider)
        if kind == "openai" and not env.get("OPENAI_API_KEY"):
            problems.append(f"{_ENV_NAME}={spec} uses {provider}, which needs OPENAI_API_KEY")
        if kind == "anthropic" and not env.get("ANTHROPIC_API_KEY"):
            problems.append(f"{_ENV_NAME}={spec} uses {provider}, which needs ANTHROPIC_API_KEY")
        if kind == "openai-compatible" and not env.get("OPENAI_BASE_URL"):
            problems.append(
                f"{_ENV_NAME}={spec} uses {provider}, which needs OPENAI_BASE_URL"
                " (e.g. http://localhost:11434/v1 for Ollama)"
            )
    if any(split_provider(p)[0] != "rules" for p in chain):
        problems += _llm_section_problems(settings)
    if problems:
        raise ConfigError("; ".join(problems))


def _llm_section_problems(settings: Settings) -> list[str]:
    from vouchflow.llm.config import llm_settings
    from vouchflow.prompts.registry import PromptError, lock_problems, resolve_label

    try:
        cfg = llm_settings(settings)
    except ValidationError as exc:
        return [f"[llm] section is invalid: {exc}"]
    problems: list[str] = []
    try:
        resolve_label(cfg.prompt_name, cfg.prompt_label, settings.home)
    except PromptError as exc:
        problems.append(f"prompt: {exc}")
    problems += [f"prompt spec {p}" for p in lock_problems()]
    return problems
