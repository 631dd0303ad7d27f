"""Reading a Prometheus endpoint in tests: samples by name and labels, and the metric
names a PromQL expression uses."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = [
            Sample(s.name, dict(s.labels), float(s.value))
            for family in text_string_to_metric_families(text)
            for s in family.samples
        ]

    def total(self, name: str, **labels: str) -> float:
        """The sum of every sample of `name` whose labels include `labels`."""
        return sum(
            s.value
            for s in self.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    def names(self) -> set[str]:
        return {s.name for s in self.samples}


async def scrape(bind: str) -> Scrape:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"http://{bind}/metrics")
        response.raise_for_status()
        return Scrape(response.text)


# A PromQL identifier followed by `{`, `[` or `)` / space — minus functions and keywords.
_IDENT = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()")
_NOT_METRICS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "le",
}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (label names inside {} and by() are dropped)."""
    no_strings = re.sub(r'"[^"]*"', '""', expr)
    no_matchers = re.sub(r"\{[^}]*\}", "", no_strings)
    no_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", no_matchers)
    no_ranges = re.sub(r"\[[^\]]*\]", "", no_groupings)
    return {
        name
        for name in _IDENT.findall(no_ranges)
        if name not in _NOT_METRICS and not re.fullmatch(r"[0-9e.]+", name)
    }


def test_metric_names_skip_functions_labels_and_ranges() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (le, workflow_type) "
        '(rate(vouchflow_decision_latency_seconds_bucket{workflow_type=~".+"}[10m])))'
        " > 6"
    )
    assert metric_names(expr) == {"vouchflow_decision_latency_seconds_bucket"}
    ratio = (
        'sum(increase(vouchflow_reviews_total{overridden="true"}[1h])) by (workflow_type)'
        " / clamp_min(sum(increase(vouchflow_reviews_total[1h])) by (workflow_type), 1)"
    )
    assert metric_names(ratio) == {"vouchflow_reviews_total"}
    assert metric_names("a_total offset 5m / on(x) group_left b_total") == {"a_total", "b_total"}
