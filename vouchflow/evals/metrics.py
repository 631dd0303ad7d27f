"""Suite metrics: each one added up from the case checks and held to its own target.

Never folded into one score: a suite passes only when every metric meets its target,
and the table shows each one. A metric with no case to measure fails (a suite that
stopped covering something must say so), unless its definition says an empty
denominator is fine (`when_empty = "pass"`, e.g. precision when nothing was auto-drafted;
a separate automation-rate target keeps "send everything to review" from passing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator


class MetricSpec(BaseModel):
    """One metric of a suite (from suite.toml). Exactly one source: an assertion's pass
    rate, a ratio of two summed scores, or a latency percentile (milliseconds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    at_least: float | None = None
    at_most: float | None = None
    assertion: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    latency_percentile: int | None = None
    when_empty: Literal["pass", "fail"] = "fail"

    @model_validator(mode="after")
    def _one_source_one_target(self) -> MetricSpec:
        sources = [
            self.assertion is not None,
            self.numerator is not None and self.denominator is not None,
            self.latency_percentile is not None,
        ]
        if sum(sources) != 1:
            raise ValueError(f"metric {self.name}: give exactly one source")
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError(f"metric {self.name}: give exactly one of at_least / at_most")
        return self

    @property
    def is_latency(self) -> bool:
        return self.latency_percentile is not None

    def target_text(self) -> str:
        value = self.at_least if self.at_least is not None else self.at_most
        assert value is not None
        sign = ">=" if self.at_least is not None else "<="
        return f"{sign} {_show(value, latency=self.is_latency)}"


class CaseChecks(BaseModel):
    """One case's check results and how long its task took."""

    model_config = ConfigDict(extra="forbid")

    name: str
    assertions: dict[str, bool]
    scores: dict[str, float]
    seconds: float


class MetricResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str
    target: str
    value: float | None
    numerator: float
    denominator: float
    passed: bool
    failing_cases: list[str]

    def current_text(self, *, latency: bool) -> str:
        if self.value is None:
            return "n/a (no cases)"
        if latency:
            return f"{_show(self.value, latency=True)} (n={int(self.denominator)})"
        return (
            f"{_show(self.value, latency=False)} ({_num(self.numerator)}/{_num(self.denominator)})"
        )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def _show(value: float, *, latency: bool) -> str:
    if latency:
        return f"{value:.0f} ms"
    return f"{value * 100:.1f} %"


def percentile(values: Sequence[float], pct: int) -> float:
    """Nearest-rank percentile (the value at or below which pct % of the values fall)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def compute(spec: MetricSpec, cases: Sequence[CaseChecks]) -> MetricResult:
    failing: list[str] = []
    if spec.latency_percentile is not None:
        millis = [c.seconds * 1000 for c in cases]
        num, den = 0.0, float(len(millis))
        value = percentile(millis, spec.latency_percentile) if millis else None
        if value is not None and spec.at_most is not None:
            failing = [c.name for c in cases if c.seconds * 1000 > spec.at_most]
    elif spec.assertion is not None:
        relevant = [c for c in cases if spec.assertion in c.assertions]
        num = float(sum(c.assertions[spec.assertion] for c in relevant))
        den = float(len(relevant))
        value = num / den if den else None
        failing = [c.name for c in relevant if not c.assertions[spec.assertion]]
    else:
        assert spec.numerator is not None and spec.denominator is not None
        relevant = [c for c in cases if spec.denominator in c.scores]
        num = sum(c.scores.get(spec.numerator, 0.0) for c in relevant)
        den = sum(c.scores[spec.denominator] for c in relevant)
        value = num / den if den else None
        failing = [
            c.name
            for c in relevant
            if c.scores.get(spec.numerator, 0.0) < c.scores[spec.denominator]
        ]
    if value is None:
        passed = spec.when_empty == "pass"
    elif spec.at_least is not None:
        passed = value >= spec.at_least - 1e-9
    else:
        assert spec.at_most is not None
        passed = value <= spec.at_most + 1e-9
    return MetricResult(
        name=spec.name,
        description=spec.description,
        target=spec.target_text(),
        value=value,
        numerator=num,
        denominator=den,
        passed=passed,
        failing_cases=failing,
    )
