"""Run one spec version's suite with pydantic-evals and hold each metric to its target."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_evals import Dataset
from pydantic_evals.evaluators import Evaluator

from vouchflow.evals.evaluators import InvoiceChecks, TicketChecks
from vouchflow.evals.invoice_task import run_invoice_case
from vouchflow.evals.metrics import CaseChecks, MetricResult, compute
from vouchflow.evals.models import InvoiceInput, TicketInput
from vouchflow.evals.proposal_checks import ProposalChecks
from vouchflow.evals.proposal_models import ProposalInput
from vouchflow.evals.providers import RunProvider, parse_provider, provider_env
from vouchflow.evals.suites import (
    SuiteConfig,
    cassette_dir,
    load_cases,
    load_config,
    suite_dir,
)
from vouchflow.evals.triage_task import run_ticket_case
from vouchflow.llm.cassettes import MISS_MARKER
from vouchflow.prompts.registry import PromptSpec, load_spec, resolve_label
from vouchflow.settings import Settings


class SuiteRun(BaseModel):
    """The outcome of one run: every metric on its own, and what errored."""

    model_config = ConfigDict(extra="forbid")

    spec: str
    version: str
    provider: str
    cases: int
    metrics: list[MetricResult]
    errored: list[str] = Field(default_factory=list)
    latency_metrics: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errored and all(m.passed for m in self.metrics)


def _one_line(message: str, limit: int = 300) -> str:
    """An error as one table line (a validation error spans many)."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_suite_sync(
    spec: PromptSpec,
    provider_text: str,
    settings: Settings,
    *,
    env: Mapping[str, str] | None = None,
) -> SuiteRun:
    """run_suite from synchronous code, also when an event loop is already running in this
    thread (a command called from async code): then it runs on a thread of its own."""
    import asyncio
    import concurrent.futures

    def go() -> SuiteRun:
        return asyncio.run(run_suite(spec, provider_text, settings, env=env))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return go()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(go).result()


def parse_target(target: str) -> tuple[str, str | None]:
    """`SPEC[@VERSION]` -> (name, version or None)."""
    name, _, version = target.partition("@")
    return name, (version.removeprefix("v") or None)


def resolve_spec(name: str, version: str | None, settings: Settings) -> PromptSpec:
    if version:
        return load_spec(name, version)
    return resolve_label(name, "production", settings.home)


class MissingAnswer(RuntimeError):
    """A replay run met a request nobody recorded: the case errors (never a quiet miss)."""


def _checked(provider: RunProvider, output: Any) -> Any:
    failure = getattr(output, "failure", None) or ""
    if provider.replay and MISS_MARKER in failure:
        raise MissingAnswer(failure)
    return output


def _task(
    config: SuiteConfig,
    spec: PromptSpec,
    provider: RunProvider,
    settings: Settings,
    env: Mapping[str, str],
) -> Callable[[Any], Awaitable[Any]]:
    if config.task == "invoice":

        async def invoice(inputs: InvoiceInput) -> Any:
            return _checked(
                provider,
                await run_invoice_case(
                    inputs,
                    provider=provider.call,
                    prompt_version=spec.version,
                    settings=settings,
                    env=env,
                    today=config.today,
                ),
            )

        return invoice
    if config.task == "proposal":
        return _proposal_task(spec, provider, settings, env)
    from vouchflow.triage.settings import load_triage_settings

    triage = load_triage_settings()

    async def ticket(inputs: TicketInput) -> Any:
        return _checked(
            provider,
            await run_ticket_case(
                inputs,
                provider=provider.call,
                prompt_version=spec.version,
                settings=settings,
                triage=triage,
                env=env,
            ),
        )

    return ticket


def _proposal_task(
    spec: PromptSpec, provider: RunProvider, settings: Settings, env: Mapping[str, str]
) -> Callable[[Any], Awaitable[Any]]:
    from vouchflow.evals.proposal_task import run_proposal_case, sample_billing
    from vouchflow.proposal.settings import load_proposal_settings

    proposal = load_proposal_settings()
    # One sample billing store per run, read only: validation and policy see real accounts.
    billing = sample_billing()

    async def request(inputs: ProposalInput) -> Any:
        return _checked(
            provider,
            await run_proposal_case(
                inputs,
                provider=provider.call,
                prompt_version=spec.version,
                settings=settings,
                proposal=proposal,
                billing=billing,
                env=env,
            ),
        )

    return request


_EVALUATORS: dict[str, type[Evaluator[Any, Any, Any]]] = {
    "invoice": InvoiceChecks,
    "ticket": TicketChecks,
    "proposal": ProposalChecks,
}


async def run_suite(
    spec: PromptSpec,
    provider_text: str,
    settings: Settings,
    *,
    env: Mapping[str, str] | None = None,
) -> SuiteRun:
    folder = suite_dir(spec, dict(env) if env is not None else None)
    config = load_config(folder)
    provider = parse_provider(provider_text, spec)
    evaluator: Evaluator[Any, Any, Any] = _EVALUATORS[config.task]()
    dataset: Dataset[Any, Any, Any] = Dataset(
        name=f"{spec.name}@{spec.version}",
        cases=load_cases(folder, config.task),
        evaluators=[evaluator],
    )
    cassettes = str(cassette_dir(spec, dict(env) if env is not None else None))
    with provider_env(provider, cassettes) as run_env:
        report = await dataset.evaluate(
            _task(config, spec, provider, settings, run_env),
            name=f"{spec.name}@{spec.version} [{provider.label}]",
            max_concurrency=provider.concurrency,
            progress=False,
        )
    checks = [
        CaseChecks(
            name=case.name,
            assertions={k: bool(v.value) for k, v in case.assertions.items()},
            scores={k: float(v.value) for k, v in case.scores.items()},
            seconds=case.task_duration,
        )
        for case in report.cases
    ]
    errored = [f"{f.name}: {_one_line(f.error_message)}" for f in report.failures]
    errored += [
        f"{case.name}: evaluator failed: {_one_line(failure.error_message)}"
        for case in report.cases
        for failure in case.evaluator_failures
    ]
    return SuiteRun(
        spec=spec.name,
        version=spec.version,
        provider=provider.label,
        cases=len(report.cases) + len(report.failures),
        metrics=[compute(m, checks) for m in config.metrics],
        errored=errored,
        latency_metrics=[m.name for m in config.metrics if m.is_latency],
    )
