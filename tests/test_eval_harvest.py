"""Corrections become regression cases: a real audit store holding a corrected invoice
approval and a corrected ticket -> `eval harvest` -> the regression YAML has each case,
redacted, with provenance -> `eval run` scores them."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from schemas.common.audit import AuditEntry
from schemas.common.decisions import DecisionRecord
from schemas.triage.classification import TicketClassification
from schemas.triage.decisions import CorrectionRecord
from schemas.triage.events import TicketV1
from tests.conftest import make_settings
from vouchflow.cli.app import main as cli_main
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.evals.suites import PACKAGED_SUITES, SUITES_ENV
from vouchflow.evals.yaml_files import read_cases
from vouchflow.settings import Settings
from vouchflow.stores.audit import open_audit_store

NOW = dt.datetime(2026, 10, 2, 9, 30, tzinfo=dt.UTC)
INVOICE_WF = "invoice-0123456789abcdef0123456789abcdef"
TICKET_WF = "triage-evt-2026-10-02-0042"
IBAN = "GB29 NWBK 6016 1331 9268 19"
INVOICE_TEXT = f"""Acme Office Supplies Ltd
Unit 4, Riverside Trading Estate
Leeds LS11 5QT
VAT Reg No: GB 284 6613 07

INVOICE
Invoice No: ACME-2026-0311
Invoice Date: 22 September 2026
Due Date: 22 October 2026

Description                              Qty  Unit price VAT     Amount
Desk chair, mesh back                      2     £120.00 20%    £240.00

Subtotal £240.00
VAT 20% £48.00
Total £288.00
Pay to IBAN {IBAN}, questions to accounts@acme.example
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("VOUCHFLOW_HOME", str(home))
    monkeypatch.delenv("VOUCHFLOW_AUDIT_DSN", raising=False)
    root = tmp_path / "suites"
    shutil.copytree(PACKAGED_SUITES, root)
    monkeypatch.setenv(SUITES_ENV, str(root))
    return make_settings(home), root


def _append(
    settings: Settings, workflow_id: str, seq: int, type_: str, payload: dict[str, Any]
) -> None:
    open_audit_store(settings).append(
        AuditEntry(
            workflow_id=workflow_id,
            run_id="run-1",
            type=type_,
            payload=payload,
            idempotency_key=f"{workflow_id}:run-1:{seq}:{type_}",
        ),
        now=NOW + dt.timedelta(seconds=seq),
    )


def _corrected_invoice(settings: Settings) -> None:
    """The records an invoice run writes up to an approval with corrections: the model
    read the invoice number wrongly, the approver fixed it."""
    ref = LocalBlobStore(settings.blob_dir).put(INVOICE_TEXT.encode(), "text/plain")
    event = {"document_sha256": ref.sha256, "filename": "acme-0311.txt"}
    _append(settings, INVOICE_WF, 1, "workflow.started", {"event": event})
    _append(
        settings,
        INVOICE_WF,
        2,
        "prompt.resolved",
        {
            "name": "invoice_extraction",
            "version": "2",
            "label": "production",
            "model": "gpt-5-mini",
            "token_budget": 1,
        },
    )
    extracted = {
        "supplier_name": "Acme Office Supplies Ltd",
        "invoice_number": "ACME-2026-0317",
        "issue_date": "2026-09-22",
        "currency": "GBP",
        "total_minor": 28800,
    }
    _append(
        settings,
        INVOICE_WF,
        3,
        "extraction.completed",
        {
            "provider": "openai:gpt-5-mini",
            "extractor": {"name": "openai gpt-5-mini (prompt invoice_extraction v2)"},
            "invoice": extracted,
        },
    )
    decision = DecisionRecord(
        kind="approve",
        actor="alice",
        accepted=True,
        reason="approved by alice",
        at=NOW,
        channel="cli",
        comment="number misread: 0311, not 0317",
        corrections={"invoice_number": "ACME-2026-0311"},
        proof="token:alice/jti-123",
    )
    _append(settings, INVOICE_WF, 4, "decision.approved", decision.model_dump(mode="json"))
    # An approval without corrections is not a correction.
    plain = decision.model_copy(update={"corrections": None})
    _append(settings, "invoice-other", 5, "decision.approved", plain.model_dump(mode="json"))


def _corrected_ticket(settings: Settings) -> None:
    original = TicketClassification(
        category="how_to", urgency="low", confidence=0.8, reason="how do I"
    )
    corrected = TicketClassification(
        category="billing", urgency="high", confidence=1.0, reason="corrected by bob: refund"
    )
    record = CorrectionRecord(
        workflow_id=TICKET_WF,
        run_id="run-1",
        ticket_id="T-42",
        original=original,
        corrected=corrected,
        reason="the customer was charged twice",
        reviewer="bob",
        proof="token:bob/jti-9",
        channel="review-page",
        at=NOW,
        classifier="rules",
        idempotency_key=f"{TICKET_WF}:correction",
        ticket=TicketV1(
            id="T-42",
            subject="How do I get my money back?",
            body=(
                "You took the subscription twice from card 4111 1111 1111 1111,"
                " write to me at pat@example.org"
            ),
            channel="email",
            language="en",
        ),
        plan="pro",
    )
    _append(settings, TICKET_WF, 1, "classification.corrected", record.model_dump(mode="json"))


def test_harvest_appends_redacted_cases_with_provenance_once(
    env: tuple[Settings, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, root = env
    _corrected_invoice(settings)
    _corrected_ticket(settings)
    before = len(read_cases(root / "invoice_extraction" / "regression.yaml"))

    assert cli_main(["eval", "harvest"]) == 0
    out = capsys.readouterr().out
    assert f"+ correction-{INVOICE_WF}" in out and f"+ correction-{TICKET_WF}" in out

    cases = read_cases(root / "invoice_extraction" / "regression.yaml")
    assert len(cases) == before + 1
    case = cases[-1]
    assert case["name"] == f"correction-{INVOICE_WF}"
    assert case["expected_output"]["invoice_number"] == "ACME-2026-0311"
    assert case["expected_output"]["total_minor"] == 28800
    assert "ACME-2026-0311" in case["inputs"]["text"]
    assert (
        IBAN not in case["inputs"]["text"] and "accounts@acme.example" not in case["inputs"]["text"]
    )
    prov = case["metadata"]["provenance"]
    assert case["metadata"]["kind"] == "regression"
    assert prov["workflow_id"] == INVOICE_WF and prov["run_id"] == "run-1"
    assert prov["prompt_version"] == "2" and prov["reviewer"] == "alice"
    assert prov["original"]["invoice_number"] == "ACME-2026-0317"
    assert prov["corrected"]["invoice_number"] == "ACME-2026-0311"
    assert prov["reason"] == "number misread: 0311, not 0317"
    assert prov["proof"] == "token:alice/jti-123" and len(prov["audit_hash"]) == 64

    [ticket] = read_cases(root / "support_ticket_classifier" / "regression.yaml")
    assert ticket["expected_output"] == {"category": "billing", "urgency": "high"}
    assert "4111 1111 1111 1111" not in ticket["inputs"]["body"]
    assert "pat@example.org" not in ticket["inputs"]["body"]
    assert ticket["metadata"]["provenance"]["reviewer"] == "bob"
    assert ticket["metadata"]["provenance"]["prompt_version"] is None  # rules, no prompt

    # Harvesting again adds nothing.
    assert cli_main(["eval", "harvest"]) == 0
    assert "0 new regression case(s), 1 already harvested" in capsys.readouterr().out
    assert len(read_cases(root / "invoice_extraction" / "regression.yaml")) == before + 1


def test_the_next_eval_run_is_gated_on_harvested_corrections(
    env: tuple[Settings, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _ = env
    _corrected_ticket(settings)
    assert cli_main(["eval", "run", "support_ticket_classifier@1"]) == 0
    suite_size = int(re.search(r"(\d+) cases", capsys.readouterr().out).group(1))  # type: ignore[union-attr]
    assert cli_main(["eval", "harvest", "--spec", "support_ticket_classifier"]) == 0
    capsys.readouterr()
    # The rules classifier does not read "took the subscription twice" as an urgent
    # billing problem: the person's correction now fails the suite.
    code = cli_main(["eval", "run", "support_ticket_classifier@1", "-v"])
    out = capsys.readouterr().out
    assert f"regression/correction-{TICKET_WF}" in out
    assert f"{suite_size + 1} cases" in out  # the suite grew by the harvested case
    assert code == 1
