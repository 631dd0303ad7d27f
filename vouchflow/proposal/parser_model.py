"""The model parser: the tier_change_proposal prompt through the shared LLM path
(llm/structured.py), the answer re-validated locally, one repair, fail closed.

The model fills what the text says (tiers, date, justification, metadata); code adds
the customer id (from the event) and the proposal id (derived from the change), and the
rules' injection check runs on the text too: a flag sends the change to a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.proposal.events import TierChangeRequestedV1
from schemas.proposal.proposal import (
    OUTPUT_SCHEMA_NAME,
    ParserInfo,
    ProposalReading,
    ProposalResult,
    build_proposal,
)
from vouchflow.llm.config import LlmSettings
from vouchflow.llm.model_step import cut_input, run_model_step
from vouchflow.llm.providers import complete_with
from vouchflow.llm.structured import Complete, validation_errors
from vouchflow.prompts.registry import PromptSpec
from vouchflow.proposal.request_instructions import detect_request_instructions
from vouchflow.proposal.settings import ParserSettings


class MetadataEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    value: str


class StrictProposalOutput(BaseModel):
    """What the provider is asked to fill: strict schemas want every field present and no
    open-ended objects, so metadata is a nullable list of pairs; bounds are checked
    locally by ProposalReading."""

    model_config = ConfigDict(extra="forbid")

    current_tier: Literal["basic", "standard", "premium"]
    target_tier: Literal["basic", "standard", "premium"]
    effective_date: str = Field(description="ISO 8601 date-time with a UTC offset")
    justification: str = Field(description="10 to 500 characters")
    metadata: list[MetadataEntry] | None


def reading_of(value: StrictProposalOutput) -> ProposalReading:
    """ValidationError when the answer breaks the proposal's rules."""
    return ProposalReading.model_validate(
        {
            "current_tier": value.current_tier,
            "target_tier": value.target_tier,
            "effective_date": value.effective_date,
            "justification": value.justification,
            "metadata": (
                {entry.key: entry.value for entry in value.metadata} if value.metadata else None
            ),
        }
    )


def _check(value: StrictProposalOutput) -> list[str]:
    try:
        reading_of(value)
    except ValidationError as err:
        return validation_errors(err)
    return []


async def parse_with_model(
    *,
    event: TierChangeRequestedV1,
    provider: str,
    spec: PromptSpec,
    settings: ParserSettings,
    llm: LlmSettings,
    env: Mapping[str, str],
    token_budget_remaining: int | None,
    complete: Complete = complete_with,
) -> ProposalResult:
    notes: list[str] = []
    text = cut_input(event.text, settings, "request", notes)
    step = await run_model_step(
        provider=provider,
        spec=spec,
        settings=settings,
        values={
            "text": text,
            "source": event.source,
            "stated_tier": event.customer.tier,
            "request_date": event.created_at.isoformat(),
        },
        untrusted=text,
        output_model=StrictProposalOutput,
        schema_name=OUTPUT_SCHEMA_NAME,
        check=_check,
        llm=llm,
        env=env,
        token_budget_remaining=token_budget_remaining,
        notes=notes,
        complete=complete,
    )
    common = {
        "parser": ParserInfo(**step.info),
        "usage": step.usage,
        "attempts": step.attempts,
        "injection_flags": detect_request_instructions(event.text),
        "notes": step.notes,
    }
    if step.value is None:
        return ProposalResult(proposal=None, failure_reason=step.failure_reason, **common)
    return ProposalResult(
        proposal=build_proposal(event.customer.id, reading_of(step.value)), **common
    )
