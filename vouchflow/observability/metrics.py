"""The business metrics every workflow exports, by name, and how they are recorded.

They go through Temporal's metric meter, so they leave the worker at the same
Prometheus endpoint as the SDK's own metrics (VOUCHFLOW_METRICS_BIND), each labelled
with the `workflow_type` it belongs to. What each one answers:

    vouchflow_routed_total{handling}            automation rate: automatic / all
    vouchflow_reviews_total{overridden}         review override rate: overridden / all
    vouchflow_model_outputs_total{valid}        schema failure rate: valid="false" / all
    vouchflow_effects_total{status}             tool/effect failure rate (written by the
                                                workflows' audit trail, not here)
    vouchflow_activity_attempts_total{retry}    retry rate: retry="true" / all
    vouchflow_decision_latency_seconds          time to decision, never waiting for a person
    vouchflow_llm_cost_micro_usd_total          model cost (written by the workflows); per
                                                completed run with vouchflow_runs_finished_total
    vouchflow_runs_finished_total{status}       dead letters: status="needs_attention"
    vouchflow_shadow_comparisons_total{agreed}  shadow agreement: agreed="true" / all
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from temporalio.common import MetricMeter

ROUTED = "vouchflow_routed"
REVIEWS = "vouchflow_reviews"
MODEL_OUTPUTS = "vouchflow_model_outputs"
EFFECTS = "vouchflow_effects"
ACTIVITY_ATTEMPTS = "vouchflow_activity_attempts"
DECISION_LATENCY = "vouchflow_decision_latency_seconds"
LLM_COST = "vouchflow_llm_cost_micro_usd"
RUNS_FINISHED = "vouchflow_runs_finished"
SHADOW_COMPARISONS = "vouchflow_shadow_comparisons"

# Prometheus buckets for the latency histogram: fine around the 6 s alert threshold, so
# histogram_quantile(0.95, ...) is not an interpolation across a wide bucket.
DECISION_LATENCY_BUCKETS: tuple[float, ...] = (
    0.1,
    0.25,
    0.5,
    1.0,
    2.0,
    3.0,
    4.0,
    5.0,
    6.0,
    8.0,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
)
HISTOGRAM_BUCKETS: dict[str, list[float]] = {DECISION_LATENCY: list(DECISION_LATENCY_BUCKETS)}

Attributes = Mapping[str, str | int | float | bool]


@dataclass(frozen=True)
class Observation:
    """One thing to add to a metric: a counter increment or a histogram sample."""

    name: str
    kind: Literal["counter", "histogram"]
    value: float
    attributes: dict[str, str] = field(default_factory=dict)


def counter(name: str, attributes: dict[str, str], value: int = 1) -> Observation:
    return Observation(name=name, kind="counter", value=value, attributes=attributes)


def histogram(name: str, value: float, attributes: dict[str, str]) -> Observation:
    return Observation(name=name, kind="histogram", value=value, attributes=attributes)


def record(meter: MetricMeter, observations: Iterable[Observation]) -> None:
    for obs in observations:
        if obs.kind == "counter":
            meter.create_counter(obs.name).add(int(obs.value), obs.attributes)
        else:
            meter.create_histogram_float(obs.name, unit="s").record(obs.value, obs.attributes)
