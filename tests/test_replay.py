"""Committed histories must replay on the current workflow code (determinism guard)."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from schemas.common.audit import AuditEntry, AuditRecord
from schemas.invoice.assessment import Assessment
from schemas.invoice.workflow import InvoiceState, InvoiceWorkflowInput, invoice_workflow_id
from workflows.common import options as common_options
from workflows.common.trail import AuditTrail
from workflows.invoice.workflow import InvoiceWorkflow

HERE = Path(__file__).parent / "histories"
# Current histories at the top; histories of earlier workflow versions in subfolders,
# kept so that code changes guarded by workflow.patched keep replaying them.
# Triage histories replay in tests/triage/test_triage_replay.py.
# Tier-change histories (histories/proposal/) and reconciliation histories
# (histories/reconciliation/) replay at the end of this file.
OTHER_WORKFLOWS = {"triage", "proposal", "reconciliation"}
HISTORIES = sorted(
    p for p in HERE.rglob("*.json") if not OTHER_WORKFLOWS & set(p.relative_to(HERE).parts)
)


def test_there_is_a_history_for_every_route() -> None:
    names = {p.stem for p in HERE.glob("*.json")}
    for route in (
        "auto_draft",
        "review_approved_reverted",
        "review_rejected",
        "flagged_duplicate",
        "rejected_input",
        "shadow_auto_draft",
        "suggest_review_approved",
        "reconciled_auto_draft",
        "reconciled_review_approved",
    ):
        assert f"invoice_{route}" in names


def test_earlier_versions_are_kept() -> None:
    for version in (
        "v1_audit_activity",
        "v2_before_duplicate_recheck",
        "v3_before_decision_proof",
        "v4_before_audit_batches",
        "v5_before_supplier_templates",
        "v6_before_rollout_stages",
        "v7_before_dead_letter",
        "v8_before_reconciliation",
    ):
        assert list((HERE / version).glob("invoice_*.json")), version


def load_history(text: str) -> WorkflowHistory:
    """The history under its real workflow id (decisions carry tokens bound to it), which
    derives from the document hash in the start event's input."""
    start = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    arg = json.loads(base64.b64decode(start["input"]["payloads"][0]["data"]))
    return WorkflowHistory.from_json(invoice_workflow_id(arg["event"]["document_sha256"]), text)


@pytest.mark.parametrize("path", HISTORIES, ids=[str(p.relative_to(HERE)) for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = load_history(await asyncio.to_thread(path.read_text))
    replayer = Replayer(workflows=[InvoiceWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)


class UnguardedTrail(AuditTrail):
    """The audit trail as it would be if the switch to local activities had shipped
    without `workflow.patched`."""

    async def record(self, type_: str, payload: dict[str, Any], *, defer: bool = False) -> None:
        info = workflow.info()
        entry = AuditEntry(
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            type=type_,
            payload=payload,
            idempotency_key=type_,
        )
        await workflow.execute_local_activity(
            "append_audit", entry, result_type=AuditRecord, **common_options.AUDIT
        )


@workflow.defn(name="InvoiceWorkflow", sandboxed=False)
class UnguardedInvoiceWorkflow(InvoiceWorkflow):
    @workflow.init
    def __init__(self, request: InvoiceWorkflowInput) -> None:
        super().__init__(request)
        self._trail = UnguardedTrail(self._state)
        self._desk._trail = self._trail

    @workflow.run
    async def run(self, request: InvoiceWorkflowInput) -> InvoiceState:
        return await super().run(request)


async def test_an_unguarded_change_is_caught_by_replay() -> None:
    """Switching the audit call without `workflow.patched` breaks old histories: the
    replayer must say so (this is what the committed histories are for)."""
    old = HERE / "v1_audit_activity" / "invoice_auto_draft.json"
    history = WorkflowHistory.from_json("old", await asyncio.to_thread(old.read_text))
    replayer = Replayer(
        workflows=[UnguardedInvoiceWorkflow], data_converter=pydantic_data_converter
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert isinstance(result.replay_failure, NondeterminismError)


@workflow.defn(name="InvoiceWorkflow", sandboxed=False)
class UnreconciledInvoiceWorkflow(InvoiceWorkflow):
    """The invoice workflow as it would be if purchase-order reconciliation were dropped
    (or moved) without `workflow.patched`."""

    @workflow.run
    async def run(self, request: InvoiceWorkflowInput) -> InvoiceState:
        return await super().run(request)

    async def _reconcile(self, assessment: Assessment) -> Assessment:
        return assessment


@pytest.mark.parametrize(
    "name", ["invoice_reconciled_auto_draft", "invoice_reconciled_review_approved"]
)
async def test_dropping_reconciliation_is_caught_by_replay(name: str) -> None:
    history = load_history(await asyncio.to_thread((HERE / f"{name}.json").read_text))
    replayer = Replayer(
        workflows=[UnreconciledInvoiceWorkflow], data_converter=pydantic_data_converter
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert isinstance(result.replay_failure, NondeterminismError)


# ---- the tier-change workflow (regenerate: python -m tests.histories.proposal.generate) --

PROPOSAL_HISTORIES = sorted((HERE / "proposal").rglob("*.json"))


def test_there_is_a_proposal_history_for_every_route() -> None:
    names = {p.stem for p in (HERE / "proposal").glob("*.json")}
    assert names >= {
        f"proposal_{route}"
        for route in (
            "low_executed",
            "medium_executed",
            "high_approved",
            "high_rejected",
            "high_expired",
            "rejected_validation",
            "rejected_policy",
            "needs_attention",
        )
    }


@pytest.mark.parametrize(
    "path", PROPOSAL_HISTORIES, ids=[str(p.relative_to(HERE)) for p in PROPOSAL_HISTORIES]
)
async def test_proposal_history_replays(path: Path) -> None:
    from schemas.proposal.events import proposal_workflow_id
    from workflows.proposal.workflow import TierChangeWorkflow

    text = await asyncio.to_thread(path.read_text)
    start = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    arg = json.loads(base64.b64decode(start["input"]["payloads"][0]["data"]))
    history = WorkflowHistory.from_json(proposal_workflow_id(arg["event"]["event_id"]), text)
    replayer = Replayer(workflows=[TierChangeWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)


# ---- reconciliation (regenerate: python -m tests.histories.reconciliation.generate) ------

RECONCILIATION_HISTORIES = sorted((HERE / "reconciliation").rglob("*.json"))


def test_there_is_a_reconciliation_history_for_every_ending() -> None:
    names = {p.stem for p in RECONCILIATION_HISTORIES}
    for ending in ("code_matched", "code_mismatch", "no_agent", "agent_matched", "agent_rejected"):
        assert f"reconciliation_{ending}" in names


@pytest.mark.parametrize(
    "path", RECONCILIATION_HISTORIES, ids=[p.stem for p in RECONCILIATION_HISTORIES]
)
async def test_reconciliation_history_replays(path: Path) -> None:
    from workflows.reconciliation.workflow import ReconciliationWorkflow

    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(f"{path.stem}:reconciliation", text)
    replayer = Replayer(workflows=[ReconciliationWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
