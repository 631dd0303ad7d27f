"""The classifier eval: golden, edge, negative, adversarial (prompt injection) cases,
and reviewers' corrections as regression cases, each metric against its own target.

Run: ``python -m evals.support_ticket_classifier.run [--provider rules|openai:MODEL|...]
[--prompt-version 1] [--home STATE_DIR] [-v]``

A case passes a metric when the classifier plus the routing rules give the expected
category / urgency / route. Regression cases come from the triage store's corrections
(``--home``): the person's category and urgency are the expected answer. The exit code
is non-zero when any metric with a target misses it: run it as a gate before promoting a
prompt version or changing the model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from schemas.triage.classification import ClassificationResult
from schemas.triage.context import CustomerContext
from schemas.triage.events import Money, TicketV1
from vouchflow.triage.classifier_rules import classify_with_rules
from vouchflow.triage.rules import route_ticket
from vouchflow.triage.settings import ClassifierSettings, RoutingSettings

CASES = Path(__file__).resolve().parent / "cases.json"


def load_cases(home: Path | None = None) -> tuple[list[dict[str, Any]], dict[str, float]]:
    data = json.loads(CASES.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = list(data["cases"])
    targets: dict[str, float] = dict(data["targets"])
    if home is not None and (home / "triage.sqlite3").exists():
        from vouchflow.triage.store import TriageStore

        store = TriageStore.open(home)
        try:
            for c in store.corrections():
                if c.ticket is None:
                    continue
                cases.append(
                    {
                        "id": f"regression-{c.workflow_id}",
                        "kind": "regression",
                        "plan": c.plan or "pro",
                        "subject": c.ticket.subject,
                        "body": c.ticket.body,
                        "expect": {
                            "category": c.corrected.category,
                            "urgency": c.corrected.urgency,
                        },
                    }
                )
        finally:
            store.close()
    return cases, targets


def _ticket(case: dict[str, Any]) -> TicketV1:
    return TicketV1(
        id=case["id"][:128],
        subject=case["subject"],
        body=case["body"],
        channel="email",
        language="en",
    )


async def classify(
    case: dict[str, Any], provider: str, prompt_version: str
) -> ClassificationResult:
    ticket = _ticket(case)
    if provider == "rules":
        return classify_with_rules(ticket)
    from vouchflow.llm.config import llm_settings
    from vouchflow.prompts.registry import load_spec
    from vouchflow.settings import load_settings
    from vouchflow.triage.classifier_model import classify_with_model

    context = CustomerContext(
        customer_id="eval",
        known=False,
        source="event",
        plan=case["plan"],
        arr=Money(amount_minor=0, currency="EUR"),
        region="eval",
    )
    return await classify_with_model(
        ticket=ticket,
        context=context,
        provider=provider,
        spec=load_spec("support_ticket_classifier", prompt_version),
        settings=ClassifierSettings(),
        llm=llm_settings(load_settings()),
        env=os.environ,
        token_budget_remaining=None,
    )


async def run_eval(
    cases: list[dict[str, Any]], provider: str = "rules", prompt_version: str = "1"
) -> tuple[dict[str, float], list[str]]:
    """Metric name -> share of cases passing; plus one line per failed check."""
    routing = RoutingSettings()
    passed: dict[str, list[bool]] = defaultdict(list)
    failures: list[str] = []
    for case in cases:
        result = await classify(case, provider, prompt_version)
        c = result.classification
        route = route_ticket(
            c,
            plan=case["plan"],
            settings=routing,
            failed_closed=result.failed_closed,
            injection_flags=result.injection_flags,
        )
        got = {"category": c.category, "urgency": c.urgency, "route": route.route}
        for field, expected in case["expect"].items():
            ok = got[field] == expected
            passed[f"{case['kind']}.{field}"].append(ok)
            if not ok:
                failures.append(f"{case['id']}: {field} {got[field]!r}, expected {expected!r}")
    return {name: sum(oks) / len(oks) for name, oks in sorted(passed.items())}, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", default="rules")
    parser.add_argument("--prompt-version", default="1")
    parser.add_argument("--home", type=Path, default=None, help="state dir with corrections")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    cases, targets = load_cases(args.home)
    scores, failures = asyncio.run(run_eval(cases, args.provider, args.prompt_version))
    missed = False
    for name, score in scores.items():
        target = targets.get(name)
        verdict = "" if target is None else ("ok" if score >= target else "BELOW TARGET")
        missed |= verdict == "BELOW TARGET"
        shown = "-" if target is None else f"{target:.2f}"
        print(f"{name:24} {score:.2f}  target {shown}  {verdict}")
    if args.verbose:
        for line in failures:
            print(f"  {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
