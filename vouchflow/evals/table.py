"""The eval table: metric, target, current, pass/fail, one row per metric."""

from __future__ import annotations

from vouchflow.evals.runner import SuiteRun

HEADER = ("metric", "target", "current", "result")
# Cases named under a failing metric; the rest are counted.
MAX_NAMED_CASES = 5


def table_lines(run: SuiteRun, *, verbose: bool = False) -> list[str]:
    rows: list[tuple[str, str, str, str]] = [HEADER]
    for m in run.metrics:
        current = m.current_text(latency=m.name in run.latency_metrics)
        rows.append((m.name, m.target, current, "pass" if m.passed else "FAIL"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = [f"{run.spec}@{run.version}  provider {run.provider}  {run.cases} cases"]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for m in run.metrics:
        if m.failing_cases and (verbose or not m.passed):
            shown = m.failing_cases if verbose else m.failing_cases[:MAX_NAMED_CASES]
            more = len(m.failing_cases) - len(shown)
            tail = f" (+{more} more)" if more > 0 else ""
            lines.append(f"  {m.name} misses on: {', '.join(shown)}{tail}")
    for error in run.errored:
        lines.append(f"  ERROR {error}")
    verdict = "PASS" if run.passed else "FAIL"
    missed = [m.name for m in run.metrics if not m.passed]
    why = f": {', '.join(missed)} below target" if missed else ""
    if run.errored:
        why += f"{';' if why else ':'} {len(run.errored)} case(s) errored"
    lines.append(f"{verdict}{why}")
    return lines
