"""Every bundled eval suite passes on the embedded extractors/classifiers and on the
shipped recorded answers; a suite that misses makes `eval run` exit non-zero."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import make_settings
from vouchflow.cli.app import main as cli_main
from vouchflow.evals.metrics import CaseChecks, MetricSpec, compute, percentile
from vouchflow.evals.models import CASE_KINDS
from vouchflow.evals.runner import run_suite
from vouchflow.evals.suites import PACKAGED_SUITES, SUITES_ENV, load_config, suite_dir
from vouchflow.evals.table import table_lines
from vouchflow.evals.yaml_files import read_cases, write_dataset
from vouchflow.prompts.registry import list_specs
from vouchflow.settings import Settings

SPECS = [(s.name, s.version) for s in list_specs()]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.mark.parametrize("provider", ["rules", "cassette"])
@pytest.mark.parametrize(("name", "version"), SPECS)
async def test_every_bundled_suite_passes(
    name: str, version: str, provider: str, settings: Settings
) -> None:
    spec = next(s for s in list_specs() if (s.name, s.version) == (name, version))
    folder = suite_dir(spec)
    for kind in CASE_KINDS:
        assert (folder / f"{kind}.yaml").is_file(), kind
    run = await run_suite(spec, provider, settings)
    report = "\n".join(table_lines(run, verbose=True))
    assert run.passed, report
    assert not run.errored, report
    # Each metric is measured on real cases, and reported on its own.
    names = [m.name for m in run.metrics]
    assert names == [m.name for m in load_config(folder).metrics]
    assert all(m.value is not None or m.name == "auto_route_precision" for m in run.metrics)
    assert run.cases >= 20


def test_invoice_and_triage_suites_hold_the_required_metrics() -> None:
    invoice = {m.name for m in load_config(PACKAGED_SUITES / "invoice_extraction").metrics}
    assert {
        "key_field_exactness",
        "valid_output_rate",
        "auto_route_precision",
        "injection_detection_recall",
    } <= invoice
    precision = next(
        m
        for m in load_config(PACKAGED_SUITES / "invoice_extraction").metrics
        if m.name == "auto_route_precision"
    )
    assert precision.at_least == 1.0
    triage = {m.name for m in load_config(PACKAGED_SUITES / "support_ticket_classifier").metrics}
    assert {
        "category_accuracy",
        "urgency_accuracy",
        "billing_escalation_recall",
        "valid_output_rate",
        "p95_latency",
    } <= triage


def _broken_copy(tmp_path: Path) -> Path:
    """The packaged suites, with one golden invoice expecting another total."""
    root = tmp_path / "suites"
    shutil.copytree(PACKAGED_SUITES, root)
    path = root / "invoice_extraction" / "golden.yaml"
    cases = read_cases(path)
    target = next(c for c in cases if c["name"] == "acme-clean-uk-vat")
    target["expected_output"]["total_minor"] += 1
    write_dataset(path, "golden", cases)
    return root


def test_eval_run_prints_the_table_and_exits_by_the_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOUCHFLOW_HOME", str(tmp_path / "home"))
    assert cli_main(["eval", "run", "invoice_extraction@2"]) == 0
    out = capsys.readouterr().out
    assert "metric" in out and "target" in out and "current" in out and "result" in out
    assert "auto_route_precision" in out and "PASS" in out.splitlines()[-1]

    monkeypatch.setenv(SUITES_ENV, str(_broken_copy(tmp_path)))
    assert cli_main(["eval", "run", "invoice_extraction@2"]) == 1
    out = capsys.readouterr().out
    # The wrong expectation is an auto-drafted case: both exactness and precision miss.
    assert "FAIL" in out.splitlines()[-1]
    assert "auto_route_precision" in out.splitlines()[-1]
    assert "golden/acme-clean-uk-vat" in out


def test_unknown_spec_or_provider_is_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOUCHFLOW_HOME", str(tmp_path / "home"))
    assert cli_main(["eval", "run", "nope@1"]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert cli_main(["eval", "run", "invoice_extraction@2", "--provider", "magic"]) == 1
    assert "unknown provider" in capsys.readouterr().err


def test_a_case_without_a_recorded_answer_fails_the_cassette_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOUCHFLOW_HOME", str(tmp_path / "home"))
    root = tmp_path / "suites"
    shutil.copytree(PACKAGED_SUITES, root)
    path = root / "support_ticket_classifier" / "regression.yaml"
    write_dataset(
        path,
        "regression",
        [
            {
                "name": "never-recorded",
                "inputs": {"subject": "Refund", "body": "Charged twice, refund urgently"},
                "expected_output": {"category": "billing"},
                "metadata": {"kind": "regression"},
            }
        ],
    )
    monkeypatch.setenv(SUITES_ENV, str(root))
    assert cli_main(["eval", "run", "support_ticket_classifier@1", "--provider", "cassette"]) == 1
    out = capsys.readouterr().out
    assert "regression/never-recorded" in out and "no recorded answer" in out


def test_metric_arithmetic() -> None:
    assert percentile([5, 1, 4, 2, 3], 95) == 5
    assert percentile([1.0] * 19 + [100.0], 95) == 1.0
    cases = [
        CaseChecks(name="a", assertions={"ok": True}, scores={"r": 4, "n": 5}, seconds=0.01),
        CaseChecks(name="b", assertions={"ok": False}, scores={}, seconds=0.02),
        CaseChecks(name="c", assertions={}, scores={"r": 5, "n": 5}, seconds=0.5),
    ]
    ok = compute(MetricSpec(name="ok", assertion="ok", at_least=0.5), cases)
    assert (ok.value, ok.passed, ok.failing_cases) == (0.5, True, ["b"])
    ratio = compute(MetricSpec(name="x", numerator="r", denominator="n", at_least=0.95), cases)
    assert ratio.value == 0.9 and not ratio.passed and ratio.failing_cases == ["a"]
    slow = compute(MetricSpec(name="p", latency_percentile=95, at_most=100), cases)
    assert slow.value == 500.0 and not slow.passed and slow.failing_cases == ["c"]
    empty = compute(MetricSpec(name="e", assertion="missing", at_least=1.0), cases)
    assert empty.value is None and not empty.passed
    vacuous = compute(
        MetricSpec(name="v", assertion="missing", at_least=1.0, when_empty="pass"), cases
    )
    assert vacuous.passed
    with pytest.raises(ValueError):
        MetricSpec(name="bad", assertion="a", numerator="r", denominator="n", at_least=1)
