"""What every activity of a model-backed step shares (classify a ticket, parse a
tier-change request): the prompt version pinned once per run, and a model's answer
with its transport errors classified for Temporal and what it saw and said kept in the
blob store (activities/common/model_io.py), out of history."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from activities.common.model_io import store_model_io
from activities.common.prompts import resolve_prompt_label
from schemas.invoice.extraction import LlmAttempt
from vouchflow.invoice.extraction.base import ExtractionError

if TYPE_CHECKING:
    from vouchflow.llm.config import LlmSettings
    from vouchflow.prompts.registry import PromptSpec


class PromptRef(Protocol):
    def __init__(self, *, name: str, version: str, label: str, model: str, sha256: str) -> None: ...


class ModelResult(Protocol):
    attempts: list[LlmAttempt]

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self: ...


P = TypeVar("P", bound=PromptRef)
R = TypeVar("R", bound=ModelResult)


def pin_prompt(ref: type[P], name: str, label: str, home: Path | None) -> P:
    """Label -> version once per workflow: a promote or rollback affects new runs only."""
    spec = resolve_prompt_label(name, label, home)
    return ref(
        name=spec.name, version=spec.version, label=label, model=spec.model, sha256=spec.sha256
    )


class StepRequest(Protocol):
    """What a model step's activity input says about the provider and the prompt."""

    @property
    def provider(self) -> str: ...

    @property
    def prompt_name(self) -> str | None: ...

    @property
    def prompt_version(self) -> str | None: ...


async def answer_step(
    deps: ActivityDeps,
    request: StepRequest,
    *,
    what: str,
    rules: Callable[[], R],
    ask: Callable[[PromptSpec, LlmSettings], Awaitable[R]],
) -> R:
    """The rules' answer when the provider is `rules`, else the model's (`ask`) with the
    pinned prompt version; `what` names the step in errors."""
    # Imported when used: workflow modules import activity modules.
    from vouchflow.invoice.extraction.factory import split_provider
    from vouchflow.llm.config import llm_settings
    from vouchflow.prompts.registry import load_spec

    kind, _ = split_provider(request.provider)
    if kind == "rules":
        return rules()
    if not request.prompt_name or not request.prompt_version:
        raise ValueError(f"a model {what} needs the resolved prompt version")
    spec = load_spec(request.prompt_name, request.prompt_version)
    try:
        result = await ask(spec, llm_settings(deps.settings))
    except ExtractionError as err:
        raise to_application_error(err) from err
    attempts = await asyncio.to_thread(store_model_io, result.attempts, deps.blobs)
    return result.model_copy(update={"attempts": attempts})
