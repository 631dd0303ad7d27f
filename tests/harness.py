"""Run invoice workflows against a real Temporal server with the embedded defaults."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.deps import ActivityDeps, build_deps
from runtime.submit import Submission, submit_document
from schemas.workflow import InvoiceState
from settings import Settings
from worker import build_worker


@dataclass
class Harness:
    client: Client
    settings: Settings
    deps: ActivityDeps
    worker: Worker

    async def submit(
        self, data: bytes, filename: str = "invoice.txt", *, submitted_by: str = "clerk"
    ) -> Submission:
        return await submit_document(
            self.client, self.settings, self.deps.blobs, data,
            filename=filename, source="api", submitted_by=submitted_by,
        )

    def handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(workflow_id)

    async def state(self, workflow_id: str) -> InvoiceState:
        return await self.handle(workflow_id).query("status", result_type=InvoiceState)

    async def wait_for(
        self,
        workflow_id: str,
        predicate: Callable[[InvoiceState], bool],
        *,
        what: str = "condition",
        timeout_s: float = 30.0,
    ) -> InvoiceState:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        last: InvoiceState | None = None
        while loop.time() < deadline:
            try:
                last = await self.state(workflow_id)
                if predicate(last):
                    return last
            except Exception:  # not started yet
                pass
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"timed out waiting for {what}; last status "
            f"{last.status if last else None}: {last.status_reason if last else None}"
        )

    async def wait_status(self, workflow_id: str, *statuses: str, timeout_s: float = 30.0) -> InvoiceState:
        return await self.wait_for(
            workflow_id, lambda s: s.status in statuses, what=f"status in {statuses}",
            timeout_s=timeout_s,
        )

    async def result(self, workflow_id: str) -> InvoiceState:
        return await self.handle(workflow_id).result(result_type=InvoiceState)


@asynccontextmanager
async def running_harness(client: Client, settings: Settings) -> AsyncIterator[Harness]:
    task_queue = f"test-{uuid.uuid4().hex[:12]}"
    settings = settings.model_copy(
        update={"temporal": settings.temporal.model_copy(update={"task_queue": task_queue})}
    )
    deps = build_deps(settings)
    worker = build_worker(client, settings, deps, task_queue=task_queue)
    async with worker:
        yield Harness(client=client, settings=settings, deps=deps, worker=worker)
