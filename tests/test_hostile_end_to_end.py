"""Hostile and broken documents through the real invoice workflow (time-skipping server).

Each case must end in a clear resting state with a human-readable reason, keep the
original bytes in the blob store, record the outcome in the audit trail, and read the
document exactly once (a bad input is an answer, not an error to retry).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from schemas.common.audit import AuditRecord
from schemas.invoice.workflow import InvoiceState
from tests.conftest import make_settings
from tests.fixtures import hostile_inputs as hostile
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.documents import ocr
from vouchflow.documents.blobs import sha256_hex


@cache
def _bomb() -> bytes:
    return hostile.bomb_pdf()  # ~100 KB that inflates to ~100 MB


def _read_attempts(history: WorkflowHistory) -> tuple[int, list[int]]:
    """(read_document schedules, attempt number of each start) from the event history."""
    scheduled: set[int] = set()
    attempts: list[int] = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == "read_document":
                scheduled.add(event.event_id)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            if started.scheduled_event_id in scheduled:
                attempts.append(started.attempt)
    return len(scheduled), attempts


async def _run(
    h: Harness, data: bytes, filename: str, *, resting: tuple[str, ...] = ("rejected_input",)
) -> tuple[InvoiceState, WorkflowHistory, list[AuditRecord]]:
    submission = await h.submit(data, filename)
    if set(resting) <= {"rejected_input", "flagged", "needs_attention"}:
        state = await h.result(submission.workflow_id)  # these end the workflow
    else:
        state = await h.wait_status(submission.workflow_id, *resting)
    history = await h.handle(submission.workflow_id).fetch_history()
    trail = h.deps.audit.trail(submission.workflow_id)

    assert state.status in resting, f"{state.status}: {state.status_reason}"
    # Nothing is lost: the original bytes are kept, under their own hash.
    assert h.deps.blobs.get(submission.document_sha256) == data
    assert submission.document_sha256 == sha256_hex(data)
    # No retry storm: the reader answered once.
    assert _read_attempts(history) == (1, [1])
    return state, history, trail


def _rejected(
    state: InvoiceState, trail: list[AuditRecord], code: str, *fragments: str
) -> dict[str, Any]:
    assert state.document is not None and state.document.bad_input_code == code
    assert state.status_reason.startswith(f"{code}: ")
    for fragment in fragments:
        assert fragment in state.status_reason, state.status_reason
    rejected = [r for r in trail if r.type == "input.rejected"]
    assert len(rejected) == 1
    assert rejected[0].payload["code"] == code
    assert rejected[0].payload["reason"] == state.status_reason
    assert trail[-1].type == "workflow.finished"
    assert trail[-1].payload["status"] == "rejected_input"
    # Rejected before extraction: no extractor ran, no decision was routed.
    assert state.extraction is None
    assert not any(r.type in ("extraction.completed", "decision.routed") for r in trail)
    return rejected[0].payload


async def _case(
    env: WorkflowEnvironment,
    tmp_path: Path,
    data: bytes,
    filename: str,
    code: str,
    *fragments: str,
    **overrides: object,
) -> InvoiceState:
    async with running_harness(env, make_settings(tmp_path / "home", **overrides)) as h:
        state, _, trail = await _run(h, data, filename)
        _rejected(state, trail, code, *fragments)
        return state


async def test_zero_byte_file(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await _case(
        time_skipping_env, tmp_path, b"", "empty.pdf", "empty_file", "empty.pdf is empty (0 bytes)"
    )


async def test_truncated_pdf(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await _case(time_skipping_env, tmp_path, hostile.truncated_pdf(), "cut.pdf", "corrupt_pdf")


async def test_garbage_pdf(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await _case(time_skipping_env, tmp_path, hostile.garbage_pdf(), "junk.pdf", "corrupt_pdf")


async def test_encrypted_pdf(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await _case(
        time_skipping_env,
        tmp_path,
        hostile.encrypted_pdf(),
        "locked.pdf",
        "encrypted_pdf",
        "password",
    )


async def test_pdf_with_thousands_of_pages(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    state = await _case(
        time_skipping_env,
        tmp_path,
        hostile.many_pages_pdf(5000),
        "catalogue.pdf",
        "too_many_pages",
        "5,000 pages",
    )
    assert state.document is not None and state.document.pages == 5000


async def test_decompression_bomb(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await _case(time_skipping_env, tmp_path, _bomb(), "bomb.pdf", "decompression_bomb")


async def test_file_above_the_size_cap_is_refused_from_its_size(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    # The cap is checked against the BlobRef's size before a byte is read (so a 200 MB
    # upload is refused without loading it); a small cap keeps this test small.
    data = hostile.text_pdf()
    state = await _case(
        time_skipping_env,
        tmp_path,
        data,
        "big.pdf",
        "too_large",
        f"{len(data):,} bytes",
        "1,000-byte limit",
        intake__max_file_bytes=1000,
    )
    assert state.document is not None and state.document.detected_type is None  # never sniffed


async def test_docx_is_refused_by_its_magic_bytes(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    state = await _case(
        time_skipping_env,
        tmp_path,
        hostile.docx_bytes(),
        "invoice.docx",
        "unsupported_type",
        "send a PDF",
    )
    assert state.document is not None and state.document.detected_type == "application/zip"


async def test_exe_renamed_pdf(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    state = await _case(
        time_skipping_env,
        tmp_path,
        hostile.exe_bytes(),
        "invoice.pdf",
        "unsupported_type",
        "invoice.pdf is",
    )
    assert state.document is not None and state.document.detected_type != "application/pdf"


async def test_xml_not_well_formed(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await _case(time_skipping_env, tmp_path, hostile.MALFORMED_XML, "bad.xml", "malformed_xml")


async def test_billion_laughs(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await _case(time_skipping_env, tmp_path, hostile.BILLION_LAUGHS, "lol.xml", "malformed_xml")


async def test_xml_external_entity_is_never_resolved(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    marker = "TOP-SECRET-7f3a9c-DO-NOT-LEAK"
    secret = tmp_path / "secret.txt"
    secret.write_text(marker)
    xxe = hostile.XXE_FILE.replace(b"file:///etc/passwd", secret.as_uri().encode())
    async with running_harness(time_skipping_env, make_settings(tmp_path / "home")) as h:
        state, history, trail = await _run(h, xxe, "xxe.xml")
        _rejected(state, trail, "malformed_xml")
        everywhere = (
            history.to_json()
            + state.model_dump_json()
            + json.dumps([r.model_dump(mode="json") for r in trail])
        )
        assert secret.as_uri() in h.deps.blobs.get(sha256_hex(xxe)).decode()  # original kept
        assert marker not in everywhere
        stored = [p.read_bytes() for p in h.settings.blob_dir.rglob("*") if p.is_file()]
        assert not any(marker.encode() in blob for blob in stored)


async def test_text_in_a_wrong_encoding(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await _case(
        time_skipping_env, tmp_path, hostile.EBCDIC_TEXT, "rechnung.txt", "bad_encoding", "UTF-8"
    )


async def test_scan_without_ocr_waits_for_a_person(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)  # as on an install without [ocr]
    data = hostile.image_only_pdf()
    async with running_harness(time_skipping_env, make_settings(tmp_path / "home")) as h:
        state, _, trail = await _run(h, data, "scan.pdf", resting=("awaiting_approval",))
        assert state.document is not None
        assert state.document.bad_input_code == "ocr_not_installed"
        assert state.extraction is not None and state.extraction.failed_closed
        assert state.assessment is not None
        shown = [state.status_reason, *state.assessment.decision.reasons]
        assert any("OCR not installed" in line for line in shown), shown
        routed = [r for r in trail if r.type == "decision.routed"]
        assert len(routed) == 1 and routed[0].payload["route"] == "review"
        assert any("OCR not installed" in r for r in routed[0].payload["reasons"])
        assert not any(r.type == "input.rejected" for r in trail)


UBL_BTC = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>BTC-42</cbc:ID>
  <cbc:IssueDate>2026-10-01</cbc:IssueDate>
  <cbc:DueDate>2026-10-31</cbc:DueDate>
  <cbc:DocumentCurrencyCode>BTC</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Hashrate Rentals Ltd</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="BTC">0.10</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="BTC">0.50</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="BTC">0.50</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="BTC">0.60</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="BTC">0.60</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="BTC">0.50</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Mining rig rental</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:Percent>20</cbc:Percent></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="BTC">0.50</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


async def test_e_invoice_in_an_unsupported_currency(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_harness(time_skipping_env, make_settings(tmp_path / "home")) as h:
        state, _, trail = await _run(
            h, UBL_BTC, "btc.xml", resting=("awaiting_approval", "flagged")
        )
        assert state.assessment is not None
        assert state.assessment.invoice.currency == "BTC"
        codes = {f.code for f in state.assessment.findings}
        assert "currency.unsupported" in codes
        reasons = " ".join(state.assessment.decision.reasons)
        assert "'BTC' is not supported" in reasons
        assert state.draft_bill is None
        routed = [r for r in trail if r.type == "decision.routed"]
        assert len(routed) == 1 and routed[0].payload["route"] in ("review", "flag")
        assert not any(r.type == "effect.intent" and "draft" in str(r.payload) for r in trail)


async def test_text_invoice_in_an_unknown_currency(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    text = TextInvoice(number="XBT-9", lines=[Line("Mining rig rental", 1, 50000)]).render()
    data = text.replace("£", "BTC ").encode()
    async with running_harness(time_skipping_env, make_settings(tmp_path / "home")) as h:
        state, _, trail = await _run(h, data, "btc.txt", resting=("awaiting_approval", "flagged"))
        assert state.assessment is not None
        # The text path reads the code it sees (never guessing GBP) and the policy flags it.
        assert state.assessment.invoice.currency == "BTC"
        assert state.status == "flagged"
        assert "currency 'BTC' is not supported" in state.assessment.decision.reasons
        assert state.draft_bill is None
        routed = [r for r in trail if r.type == "decision.routed"]
        assert len(routed) == 1 and routed[0].payload["route"] == "flag"


async def test_a_scan_without_ocr_can_be_keyed_in_by_a_reviewer(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    async with running_harness(time_skipping_env, make_settings(tmp_path / "home")) as h:
        sub = await h.submit(hostile.image_only_pdf(), filename="scan.pdf")
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        # Approving an empty invoice as it is must be refused, with what to do instead.
        await h.signal_decision(sub.workflow_id, "approve", "alice")
        state = await h.wait_for(sub.workflow_id, lambda s: len(s.decisions) == 1)
        assert not state.decisions[0].accepted
        assert "corrections" in state.decisions[0].reason
        keyed_in = {
            "supplier_name": "Acme Office Supplies Ltd",
            "invoice_number": "SCAN-1",
            "issue_date": "2026-10-01",
            "due_date": "2026-10-31",
            "currency": "GBP",
            "subtotal_minor": 10000,
            "tax_total_minor": 2000,
            "total_minor": 12000,
            "line_items": [
                {
                    "description": "Printer paper",
                    "quantity": "10",
                    "unit_price_minor": 1000,
                    "tax_rate": "20",
                    "line_total_minor": 10000,
                }
            ],
        }
        await h.signal_decision(sub.workflow_id, "approve", "alice", corrections=keyed_in)
        state = await h.wait_status(sub.workflow_id, "drafted")
        assert state.assessment is not None
        assert state.assessment.invoice.invoice_number == "SCAN-1"
        assert state.assessment.invoice.total_minor == 12000
        assert state.draft_bill is not None
