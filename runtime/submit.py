"""Submitting documents: store the bytes, start (or attach to) the workflow.

Shared by the CLI, the gateway, the watched folder, the demo and the benchmark.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import mimetypes

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from documents.blobs import BlobStore
from schemas.events import InvoiceReceivedV1
from schemas.workflow import InvoiceWorkflowInput, invoice_workflow_id
from settings import Settings


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    filename: str
    document_sha256: str
    started: bool  # False = the same document was already submitted (no second workflow)


async def submit_document(
    client: Client,
    settings: Settings,
    blobs: BlobStore,
    data: bytes,
    *,
    filename: str,
    source: str = "cli",
    submitted_by: str = "unknown",
    content_type: str | None = None,
) -> Submission:
    ref = await asyncio.to_thread(blobs.put, data, content_type)
    workflow_id = invoice_workflow_id(ref.sha256)
    event = InvoiceReceivedV1(
        event_id=hashlib.sha256(f"{source}:{filename}:{ref.sha256}".encode()).hexdigest()[:32],
        source=source,
        filename=filename,
        content_type=content_type or mimetypes.guess_type(filename)[0],
        document_sha256=ref.sha256,
        size_bytes=len(data),
        submitted_by=submitted_by,
        received_at=dt.datetime.now(dt.UTC),
    )
    if await _exists(client, workflow_id):
        started = False
    else:
        try:
            await client.start_workflow(
                "InvoiceWorkflow",
                InvoiceWorkflowInput(event=event),
                id=workflow_id,
                task_queue=settings.temporal.task_queue,
                # Same document again: attach to the running workflow; never a second draft.
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=f"Invoice {filename}",
            )
            started = True
        except WorkflowAlreadyStartedError:
            started = False
    return Submission(
        workflow_id=workflow_id, filename=filename, document_sha256=ref.sha256, started=started
    )


async def _exists(client: Client, workflow_id: str) -> bool:
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True
