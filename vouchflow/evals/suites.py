"""Where a prompt spec's suite lives, and loading it.

A spec's `eval_suite` names its suite; its last path segment is the folder under the
suites root (`evals/invoice_extraction` -> `suites/invoice_extraction/`, so the released
spec files keep their text). The root is the packaged `vouchflow/evals/suites/`, or
`VOUCHFLOW_EVAL_SUITES` for a copy a team keeps elsewhere (harvest writes there).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_evals import Case, Dataset

from vouchflow.evals.metrics import MetricSpec
from vouchflow.evals.models import (
    CASE_KINDS,
    CaseKind,
    CaseMeta,
    InvoiceExpected,
    InvoiceInput,
    TicketExpected,
    TicketInput,
)
from vouchflow.evals.proposal_models import ProposalExpected, ProposalInput
from vouchflow.prompts.registry import PromptSpec

PACKAGED_SUITES = Path(__file__).resolve().parent / "suites"
PACKAGED_CASSETTES = Path(__file__).resolve().parent / "cassettes"
SUITES_ENV = "VOUCHFLOW_EVAL_SUITES"
CASSETTES_ENV = "VOUCHFLOW_EVAL_CASSETTES"

InvoiceDataset = Dataset[InvoiceInput, InvoiceExpected, CaseMeta]
TicketDataset = Dataset[TicketInput, TicketExpected, CaseMeta]
ProposalDataset = Dataset[ProposalInput, ProposalExpected, CaseMeta]
TaskKind = Literal["invoice", "ticket", "proposal"]
_DATASET_TYPES: dict[str, type[Dataset[Any, Any, Any]]] = {
    "invoice": InvoiceDataset,
    "ticket": TicketDataset,
    "proposal": ProposalDataset,
}


class SuiteError(ValueError):
    """A suite that cannot be found or read; the message names the file."""


class SuiteConfig(BaseModel):
    """suite.toml: what the suite runs and each metric's target."""

    model_config = ConfigDict(extra="forbid")

    spec: str
    task: TaskKind
    description: str = ""
    # Invoice dates are judged against this day, so a suite means the same next year.
    today: dt.date = dt.date(2026, 10, 1)
    metrics: list[MetricSpec] = Field(min_length=1)


def suites_root(env: dict[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    return Path(environ[SUITES_ENV]) if environ.get(SUITES_ENV) else PACKAGED_SUITES


def cassettes_root(env: dict[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    return Path(environ[CASSETTES_ENV]) if environ.get(CASSETTES_ENV) else PACKAGED_CASSETTES


def suite_dir(spec: PromptSpec, env: dict[str, str] | None = None) -> Path:
    name = Path(spec.eval_suite.rstrip("/")).name or spec.name
    folder = suites_root(env) / name
    if not (folder / "suite.toml").is_file():
        raise SuiteError(
            f"{spec.name} v{spec.version} names eval suite {spec.eval_suite!r}, "
            f"but {folder / 'suite.toml'} does not exist"
        )
    return folder


def cassette_dir(spec: PromptSpec, env: dict[str, str] | None = None) -> Path:
    """The recorded answers for one prompt version (its requests differ from others')."""
    return cassettes_root(env) / spec.name / f"v{spec.version}"


def load_config(folder: Path) -> SuiteConfig:
    path = folder / "suite.toml"
    try:
        return SuiteConfig.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError) as err:
        raise SuiteError(f"{path}: {err}") from None


def dataset_path(folder: Path, kind: CaseKind) -> Path:
    return folder / f"{kind}.yaml"


def _dataset_type(task: TaskKind) -> type[Dataset[Any, Any, Any]]:
    return _DATASET_TYPES[task]


def load_kind(folder: Path, task: TaskKind, kind: CaseKind) -> Dataset[Any, Any, Any]:
    path = dataset_path(folder, kind)
    if not path.is_file():
        raise SuiteError(f"{path} is missing (every suite has {', '.join(CASE_KINDS)})")
    try:
        dataset = _dataset_type(task).from_file(path)
    except (ValueError, OSError) as err:
        raise SuiteError(f"{path}: {err}") from None
    for case in dataset.cases:
        if case.metadata is None or case.metadata.kind != kind:
            raise SuiteError(f"{path}: case {case.name!r} must have metadata.kind: {kind}")
    return dataset


def load_cases(folder: Path, task: TaskKind) -> list[Case[Any, Any, CaseMeta]]:
    """Every case of the five datasets, named `kind/name` so reports say where it lives."""
    cases: list[Case[Any, Any, CaseMeta]] = []
    for kind in CASE_KINDS:
        for index, case in enumerate(load_kind(folder, task, kind).cases, start=1):
            cases.append(
                Case(
                    name=f"{kind}/{case.name or index}",
                    inputs=case.inputs,
                    expected_output=case.expected_output,
                    metadata=case.metadata,
                )
            )
    return cases
