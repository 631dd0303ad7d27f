"""The shadow child every workflow shares (workflows.common.shadow), on the real
time-skipping test server: a candidate that cannot answer is an outcome, recorded with
its reason, and nothing is compared (the agreeing case is in test_rollout_workflow)."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from schemas.common.documents import DocumentText
from schemas.common.rollout import ShadowOutcome
from schemas.invoice.invoice import Invoice
from schemas.invoice.shadow import InvoiceShadowInput
from tests.harness import running_harness
from vouchflow.settings import Settings

pytestmark = pytest.mark.asyncio


async def test_a_candidate_that_cannot_answer_is_recorded_not_compared(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        child_id = f"invoice-{uuid.uuid4().hex[:8]}-shadow"
        # The e-invoice reader refuses a document without XML (not retried): the
        # candidate has no answer at all.
        outcome = await h.client.execute_workflow(
            "InvoiceShadowWorkflow",
            InvoiceShadowInput(
                parent_workflow_id="invoice-parent",
                document=DocumentText(ok=True, method="plain_text"),
                filename="plain.txt",
                candidate_provider="einvoice",
                prompt_name="invoice_extraction",
                prompt_version="7",
                production=Invoice(supplier_name="Acme Ltd"),
                production_provider="rules",
            ),
            id=child_id,
            task_queue=h.settings.temporal.task_queue,
            result_type=ShadowOutcome,
        )
        assert not outcome.ok
        assert outcome.comparison is None
        assert outcome.failure is not None and "no e-invoice XML" in outcome.failure
        assert (outcome.workflow, outcome.parent_workflow_id) == ("invoice", "invoice-parent")
        assert (outcome.tokens, outcome.cost_micro_usd) == (0, 0)
        description = await h.client.get_workflow_handle(child_id).describe()
        assert description.status == WorkflowExecutionStatus.COMPLETED
        records = h.deps.audit.trail(child_id)
        assert [r.type for r in records] == ["shadow.compared"]
        payload = records[0].payload
        assert payload["candidate"] == "einvoice invoice_extraction@7"
        assert payload["agreed"] is False
        assert payload["production_provider"] == "rules"
        assert payload["candidate_answer"] is None
        assert payload["failure"] == outcome.failure
