"""Business metrics reach the worker's Prometheus endpoint."""

from __future__ import annotations

import socket

import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.harness import running_harness
from tests.invoice_texts import TextInvoice
from vouchflow.runtime.client import metrics_runtime
from vouchflow.settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_routes_effects_and_outcomes_are_counted(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    bind = f"127.0.0.1:{_free_port()}"
    client = await Client.connect(
        time_skipping_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        runtime=metrics_runtime(bind),
    )
    async with running_harness(client, settings) as h:
        bad = await h.submit(b"", filename="empty.pdf")
        await h.wait_status(bad.workflow_id, "rejected_input")
        good = await h.submit(TextInvoice(number="M-1").bytes())
        await h.wait_for(good.workflow_id, lambda s: s.email_state == "scheduled")
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://{bind}/metrics")).text
    lines = [line for line in text.splitlines() if line.startswith("vouchflow_")]
    assert any(
        line.startswith("vouchflow_invoices_routed_total") and 'route="auto_draft"' in line
        for line in lines
    ), lines
    assert any(
        line.startswith("vouchflow_invoices_finished_total") and 'status="rejected_input"' in line
        for line in lines
    ), lines
    assert any('effect="post_draft_bill"' in line and 'status="done"' in line for line in lines), (
        lines
    )
