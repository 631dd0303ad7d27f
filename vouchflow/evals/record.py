"""Recording a suite's model answers (cassettes) for one prompt version.

`live`: every case is sent to the real provider with the keys in the environment
(`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, ...), and each answer is stored.

`fakes`: the local fake of the provider (vouchflow/testing/fakes, the real wire format,
driven by the real SDK) answers each case as the embedded extractor / classifier /
tier-change parser reads it. Those cassettes exercise everything around the model (the
prompt as rendered, the SDK, strict-output parsing, re-validation, the cross-check with
the rules, routing); they do not say how good a model is. The shipped cassettes are made this way.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from schemas.invoice.extraction import ExtractionResult
from vouchflow.evals.invoice_task import extract_case, run_invoice_case
from vouchflow.evals.models import InvoiceInput, TicketInput
from vouchflow.evals.proposal_models import ProposalInput
from vouchflow.evals.proposal_task import (
    event_of,
    run_proposal_case,
    sample_billing,
    strict_answer,
)
from vouchflow.evals.providers import parse_provider
from vouchflow.evals.suites import (
    SuiteConfig,
    cassette_dir,
    load_cases,
    load_config,
    suite_dir,
)
from vouchflow.evals.triage_task import classify_case, run_ticket_case
from vouchflow.llm.cassettes import use_cassette
from vouchflow.prompts.registry import PromptSpec
from vouchflow.proposal.billing_system import BillingSystem
from vouchflow.proposal.parser_rules import parse_with_rules
from vouchflow.proposal.settings import ProposalSettings, load_proposal_settings
from vouchflow.settings import Settings
from vouchflow.triage.settings import TriageSettings, load_triage_settings

Against = Literal["fakes", "live"]


@dataclass(frozen=True)
class TaskDeps:
    """What a case needs besides its inputs, per task (read once per recording)."""

    triage: TriageSettings
    proposal: ProposalSettings
    billing: BillingSystem


def task_deps() -> TaskDeps:
    return TaskDeps(
        triage=load_triage_settings(),
        proposal=load_proposal_settings(),
        billing=sample_billing(),
    )


class Recorded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spec: str
    version: str
    provider: str
    directory: Path
    cases: int
    files: int


def invoice_answer(result: ExtractionResult) -> dict[str, Any]:
    """The rules reading in the strict output contract a model fills."""
    inv = result.invoice
    return {
        "invoice_likelihood": result.invoice_likelihood,
        "supplier_name": inv.supplier_name,
        "invoice_number": inv.invoice_number,
        "issue_date": inv.issue_date.isoformat() if inv.issue_date else None,
        "due_date": inv.due_date.isoformat() if inv.due_date else None,
        "currency": inv.currency,
        "subtotal_minor": inv.subtotal_minor,
        "tax_total_minor": inv.tax_total_minor,
        "total_minor": inv.total_minor,
        "amounts_tax_inclusive": inv.amounts_tax_inclusive,
        "supplier_vat_id": inv.supplier_vat_id,
        "buyer_name": inv.buyer_name,
        "line_items": [
            {
                "description": line.description,
                "quantity": None if line.quantity is None else str(line.quantity),
                "unit_price_minor": line.unit_price_minor,
                "tax_rate": None if line.tax_rate is None else str(line.tax_rate),
                "line_total_minor": line.line_total_minor,
            }
            for line in inv.line_items
        ],
        "evidence": [
            {"field": e.field, "source_text": e.source_text, "certainty": e.certainty}
            for e in result.evidence
            if not e.field.startswith("line_items")
        ],
    }


async def _fake_answer(case: Any, task: str, settings: Settings, deps: TaskDeps) -> dict[str, Any]:
    if task == "proposal":
        assert isinstance(case, ProposalInput)
        event = event_of(case)
        return strict_answer(parse_with_rules(event), event)
    if task == "invoice":
        assert isinstance(case, InvoiceInput)
        found, _, _ = await extract_case(
            case, provider="rules", prompt_version="", settings=settings, env={}
        )
        if found is None:
            # Unreadable input never reaches a model; nothing to script.
            return {}
        return invoice_answer(found)
    assert isinstance(case, TicketInput)
    result = await classify_case(
        case, provider="rules", prompt_version="", settings=settings, triage=deps.triage, env={}
    )
    return result.classification.model_dump(mode="json")


async def record_suite(
    spec: PromptSpec,
    settings: Settings,
    *,
    against: Against,
    provider_text: str | None = None,
    env: Mapping[str, str] | None = None,
    directory: Path | None = None,
) -> Recorded:
    """Record every case of the spec's suite into its cassette directory (replaced whole:
    a version's answers are recorded together)."""
    folder = suite_dir(spec)
    config = load_config(folder)
    provider = parse_provider(provider_text or f"openai:{spec.model}", spec)
    if provider.replay:
        raise ValueError("record with a model provider (openai:MODEL, ...), not a cassette")
    target = directory or cassette_dir(spec)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    deps = task_deps()
    cases = load_cases(folder, config.task)
    if against == "fakes":
        await _record_with_fakes(spec, config, cases, provider.call, settings, deps, target)
    else:
        with use_cassette("record", target):
            for case in cases:
                await _run(config, case.inputs, provider.call, spec, settings, deps, env)
    return Recorded(
        spec=spec.name,
        version=spec.version,
        provider=provider.label,
        directory=target,
        cases=len(cases),
        files=len(list(target.glob("*.json"))),
    )


async def _run(
    config: SuiteConfig,
    inputs: Any,
    provider: str,
    spec: PromptSpec,
    settings: Settings,
    deps: TaskDeps,
    env: Mapping[str, str] | None,
) -> Any:
    environ = os.environ if env is None else env
    if config.task == "proposal":
        return await run_proposal_case(
            inputs,
            provider=provider,
            prompt_version=spec.version,
            settings=settings,
            proposal=deps.proposal,
            billing=deps.billing,
            env=environ,
        )
    if config.task == "invoice":
        return await run_invoice_case(
            inputs,
            provider=provider,
            prompt_version=spec.version,
            settings=settings,
            env=environ,
            today=config.today,
        )
    return await run_ticket_case(
        inputs,
        provider=provider,
        prompt_version=spec.version,
        settings=settings,
        triage=deps.triage,
        env=environ,
    )


async def _record_with_fakes(
    spec: PromptSpec,
    config: SuiteConfig,
    cases: list[Any],
    provider: str,
    settings: Settings,
    deps: TaskDeps,
    target: Path,
) -> None:
    from vouchflow.testing.fakes import FakeAnthropic, FakeOpenAI, Reply

    kind = provider.partition(":")[0]
    fake: FakeOpenAI | FakeAnthropic = (
        FakeAnthropic.start() if kind == "anthropic" else FakeOpenAI.start()
    )
    prefix = "ANTHROPIC" if kind == "anthropic" else "OPENAI"
    env = {f"{prefix}_API_KEY": fake.api_key, f"{prefix}_BASE_URL": fake.base_url}
    try:
        with use_cassette("record", target):
            for case in cases:
                answer = await _fake_answer(case.inputs, config.task, settings, deps)
                # Usage is fixed so a re-recording changes only what the answers changed.
                fake.script(Reply.json(answer, input_tokens=1000, output_tokens=200))
                await _run(config, case.inputs, provider, spec, settings, deps, env)
    finally:
        fake.stop()
