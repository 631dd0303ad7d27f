"""One model-backed step of a workflow (classify a ticket, parse a tier-change request),
on the shared structured-call path (llm/structured.py): the step's settings bound the
call, its input is cut to the step's limit with a note saying so, and what every result
records about the call (which model and prompt, usage, attempts, notes) comes out the
same way. What the answer means, and what failing closed looks like, stays with the step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypedDict, TypeVar

from pydantic import BaseModel

from schemas.invoice.extraction import LlmAttempt, TokenUsage
from vouchflow.llm.config import LlmSettings
from vouchflow.llm.providers import complete_with
from vouchflow.llm.structured import Complete, call_structured
from vouchflow.prompts.registry import PromptSpec
from vouchflow.settings.sections import ModelStepSettings

T = TypeVar("T", bound=BaseModel)
NO_VALID_ANSWER = "no valid answer"


class ModelInfo(TypedDict):
    """Which model and prompt answered: the fields every step's info record starts with."""

    kind: str
    label: str
    model: str
    prompt_name: str
    prompt_version: str
    settings: dict[str, str]


@dataclass
class StepOutcome(Generic[T]):
    value: T | None  # None: the step fails closed, for `failure_reason`
    failure_reason: str
    info: ModelInfo
    usage: TokenUsage
    attempts: list[LlmAttempt]
    notes: list[str]


def cut_input(text: str, settings: ModelStepSettings, what: str, notes: list[str]) -> str:
    """`text` within the step's input limit; a cut is noted (the model saw less)."""
    kept = text[: settings.max_input_chars]
    if len(kept) < len(text):
        notes.append(f"{what} cut from {len(text)} to {len(kept)} characters")
    return kept


async def run_model_step(
    *,
    provider: str,
    spec: PromptSpec,
    settings: ModelStepSettings,
    values: Mapping[str, str],
    untrusted: str,
    output_model: type[T],
    schema_name: str,
    check: Callable[[T], list[str]],
    llm: LlmSettings,
    env: Mapping[str, str],
    token_budget_remaining: int | None,
    notes: list[str],
    complete: Complete = complete_with,
) -> StepOutcome[T]:
    """The spec rendered with `values` and answered as `output_model` (re-validated by
    `check`, one repair); `notes` are the step's own, kept before the call's."""
    outcome = await call_structured(
        provider=provider,
        spec=spec,
        values=values,
        untrusted=untrusted,
        output_model=output_model,
        schema_name=schema_name,
        llm=llm,
        max_output_tokens=settings.max_output_tokens,
        timeout_s=settings.timeout.total_seconds(),
        env=env,
        token_budget_remaining=token_budget_remaining,
        check=check,
        complete=complete,
    )
    return StepOutcome(
        value=outcome.value,
        failure_reason=outcome.failure_reason or NO_VALID_ANSWER,
        info=ModelInfo(
            kind=outcome.kind,
            label=f"model {outcome.model} via {outcome.kind}, prompt {spec.name} v{spec.version}",
            model=outcome.model,
            prompt_name=spec.name,
            prompt_version=spec.version,
            settings=outcome.settings,
        ),
        usage=outcome.usage,
        attempts=outcome.attempts,
        notes=[*notes, *outcome.notes],
    )
