"""Temporal's own limits never end or freeze an invoice workflow, whatever the data.

On the real dev server (it enforces search-attribute sizes and history limits, and serves
the visibility queries `list --awaiting` and the review page use): oversized names,
amounts beyond 64 bits and floods of refused decisions leave the invoice waiting for a
person, listed, with its reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.runtime import search_attributes as sa
from vouchflow.settings import Settings

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def h(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Harness]:
    settings: Settings = make_settings(tmp_path / "home")
    async with running_harness(dev_server.client, settings) as harness:
        yield harness


async def listed_as(h: Harness, workflow_id: str, status: str) -> bool:
    """Is the workflow found by the query `list --awaiting` runs? (visibility lags a little)"""
    query = f"WorkflowId = '{workflow_id}' AND {sa.STATUS.name} = '{status}'"
    for _ in range(100):
        async for _found in h.client.list_workflows(query):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_5000_character_supplier_name_waits_for_a_person_and_is_listed(
    h: Harness,
) -> None:
    supplier = "Acme " + "Very Long Trading Name " * 230  # about 5,000 characters
    invoice = TextInvoice(supplier=supplier, number="LIM-1", lines=[Line("Desks", 20, 29900)])
    sub = await h.submit(invoice.bytes())
    state = await h.wait_status(sub.workflow_id, "awaiting_approval", "flagged", timeout_s=60)
    assert await listed_as(h, sub.workflow_id, state.status)
    desc = await h.handle(sub.workflow_id).describe()
    shown = desc.typed_search_attributes.get(sa.SUPPLIER)
    if shown is not None:
        assert len(shown.encode()) <= 256
    assert len(state.waiting_for) < 2_000


async def test_a_total_beyond_64_bits_is_never_drafted_and_stays_listed(h: Harness) -> None:
    huge = TextInvoice(number="LIM-2", total_override_minor=10**27)
    sub = await h.submit(huge.bytes())
    state = await h.wait_status(
        sub.workflow_id, "awaiting_approval", "rejected_input", "flagged", timeout_s=60
    )
    assert state.draft_bill is None
    assert await listed_as(h, sub.workflow_id, state.status)
    reasons = " ".join(state.assessment.decision.reasons if state.assessment else [])
    assert reasons or state.status_reason


async def test_corrections_beyond_64_bits_are_refused_with_a_reason(h: Harness) -> None:
    sub = await h.submit(TextInvoice(number="LIM-3", lines=[Line("Desks", 20, 29900)]).bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval", timeout_s=60)
    for corrections in (
        {"total_minor": 10**30},
        {"total_minor": -(10**30)},
        {"subtotal_minor": "9" * 40},
        {"line_items": [{"description": "x", "line_total_minor": 2**64}]},
    ):
        reply = await h.decide(sub.workflow_id, "approve", "alice", corrections=corrections)
        assert not reply.accepted, corrections
        assert "Traceback" not in reply.reason and "<class" not in reply.reason
    state = await h.state(sub.workflow_id)
    assert state.status == "awaiting_approval" and state.draft_bill is None
    assert await listed_as(h, sub.workflow_id, "awaiting_approval")


async def test_3000_refused_approvals_do_not_end_the_workflow(h: Harness) -> None:
    sub = await h.submit(TextInvoice(number="LIM-4", lines=[Line("Desks", 20, 29900)]).bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval", timeout_s=60)
    handle = h.handle(sub.workflow_id)
    for start in range(0, 3000, 100):
        await asyncio.gather(
            *(handle.signal("approve", {"reviewer": f"x{i}"}) for i in range(start, start + 100))
        )
    state = await h.wait_for(
        sub.workflow_id,
        lambda s: s.refused_decisions == 3000,
        what="3000 refusals counted",
        timeout_s=120,
    )
    assert state.status == "awaiting_approval"
    # Refusals are cheap: only the first few are each recorded.
    assert len(state.decisions) <= h.settings.review.refusals_audited
    desc = await handle.describe()
    assert desc.raw_description.workflow_execution_info.history_length < 20_000
    assert await listed_as(h, sub.workflow_id, "awaiting_approval")
    reply = await h.decide(sub.workflow_id, "approve", "alice")
    assert reply.accepted
    await h.wait_status(sub.workflow_id, "drafted", "completed", timeout_s=60)
