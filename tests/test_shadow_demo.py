"""The demo's samples under a shadow stage: production is the embedded rules extractor,
the candidate is `openai:gpt-5-mini` through the real OpenAI SDK against the local fake,
which answers each sample with its ground truth (a model that reads perfectly). The
shadow agreement `rollout report` prints is then how often the rules extractor gives the
right key fields, measured beside production without acting on anything."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from schemas.common.rollout import RolloutSetting, ShadowOutcome
from schemas.invoice.invoice import HEADER_FIELDS, Invoice
from tests.conftest import make_settings
from tests.harness import running_harness
from vouchflow.cli.app import main as cli_main
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.rollout.agreement import compare_invoices
from vouchflow.rollout.stages import set_stage
from vouchflow.testing.fakes import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio
SAMPLES = Path(__file__).resolve().parent.parent / "vouchflow" / "samples" / "invoices"
TRUTH_FIELDS = (*HEADER_FIELDS, "line_items")


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


def perfect_answer(truth: dict[str, Any]) -> dict[str, Any]:
    """The strict output contract, filled from the sample's ground truth."""
    is_invoice = truth["total_minor"] is not None
    return {
        "invoice_likelihood": 0.98 if is_invoice else 0.02,
        **{name: truth[name] for name in TRUTH_FIELDS},
        "amounts_tax_inclusive": False,
        "supplier_vat_id": None,
        "buyer_name": None,
        "evidence": [
            {"field": name, "source_text": None, "certainty": 0.95}
            for name in ("supplier_name", "invoice_number", "issue_date", "currency", "total_minor")
        ],
    }


async def test_demo_samples_with_a_shadow_candidate(
    time_skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(home))
    settings = make_settings(home)
    set_stage(
        home,
        "invoice",
        RolloutSetting(stage="shadow", candidate_provider="openai:gpt-5-mini", set_by="alice"),
    )
    expected: dict[str, bool] = {}
    async with running_harness(time_skipping_env, settings) as h:
        for path in sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".txt")):
            truth = json.loads(path.with_suffix(".json").read_text())
            fake_openai.script(Reply.json(perfect_answer(truth)))
            sub = await h.submit(path.read_bytes(), filename=path.name)
            state = await h.wait_for(
                sub.workflow_id,
                lambda s: (
                    s.shadow_workflow_id is not None
                    or s.status in ("rejected_input", "needs_attention")
                ),
                what="the shadow child or an ending",
            )
            if state.shadow_workflow_id is None:
                continue
            child = h.client.get_workflow_handle(
                state.shadow_workflow_id, result_type=ShadowOutcome
            )
            outcome = await child.result()
            assert outcome.ok, outcome.failure
            state = await h.wait_for(
                sub.workflow_id, lambda s: s.assessment is not None, what="assessed"
            )
            assert state.extraction is not None
            # The same comparison, recomputed from production's answer and the truth.
            recomputed = compare_invoices(
                state.extraction.invoice,
                Invoice.model_validate(
                    {
                        **{k: truth[k] for k in TRUTH_FIELDS if k != "line_items"},
                        "issue_date": dt.date.fromisoformat(truth["issue_date"])
                        if truth["issue_date"]
                        else None,
                    }
                ),
            )
            assert outcome.comparison is not None
            assert outcome.comparison.agree == recomputed.agree, path.name
            expected[path.name] = recomputed.agree
        ledger = h.deps.destination
        assert isinstance(ledger, LocalLedger)
        drafted = len(ledger.list_bills())

    assert len(expected) >= 8, expected
    code = await asyncio.to_thread(cli_main, ["rollout", "report", "--workflow", "invoice"])
    report = capsys.readouterr().out
    assert code == 0
    agreed = sum(expected.values())
    assert f"{agreed}/{len(expected)} agreed on every field" in report, report
    print("\nshadow agreement on the demo samples (rules vs a perfect reader):")
    print(report)
    print(f"per sample: {json.dumps(expected, indent=1)}; drafted by production: {drafted}")
