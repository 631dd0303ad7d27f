"""Watched-folder intake: one scan of a directory, started by a Temporal Schedule.

`python starter.py watch DIR --every 1m` creates a Schedule whose action starts
`FolderScanWorkflow` (overlap policy SKIP: a slow scan is never stacked on another).
The scan itself is one activity: the folder lives on the worker's filesystem, and
each file becomes an ordinary invoice workflow (idempotent by content hash).

Deterministic: no I/O here; the activity is called by name.
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.common import RetryPolicy

PROCESSED_DIR = "processed"
FAILED_DIR = "failed"
DEFAULT_SETTLE_SECONDS = 2.0
DEFAULT_MAX_FILES = 100


class FolderScanInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    directory: str = Field(description="absolute path on the worker's filesystem")
    submitted_by: str = "folder-watch"
    # A file whose size or mtime changes across this pause is still being written.
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    # Bounds the activity's run time and the summary's size; the rest waits a round.
    max_files: int = DEFAULT_MAX_FILES


class ScannedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str
    outcome: str  # started | already_known | failed
    workflow_id: str | None = None
    moved_to: str | None = None
    reason: str = ""


class FolderScanSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    directory: str
    seen: int = 0
    started: int = 0
    already_known: int = 0
    still_writing: int = 0
    failed: int = 0
    deferred: int = 0  # beyond max_files: picked up next round
    files: list[ScannedFile] = Field(default_factory=list)


def watch_id(directory: str) -> str:
    """Schedule id derived from the absolute path: watching the same folder twice updates
    the one schedule instead of creating a second."""
    absolute = os.path.abspath(directory)
    digest = hashlib.sha256(absolute.encode()).hexdigest()[:16]
    base = os.path.basename(absolute.rstrip(os.sep)) or "root"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in base)[:40]
    return f"folder-watch-{safe}-{digest}"


# One scan may read up to max_files documents into the blob store.
SCAN_TIMEOUT = timedelta(minutes=10)
SCAN_HEARTBEAT = timedelta(minutes=1)
SCAN_RETRY = RetryPolicy(maximum_attempts=3, non_retryable_error_types=["NotADirectory"])


@workflow.defn(name="FolderScanWorkflow")
class FolderScanWorkflow:
    @workflow.run
    async def run(self, request: FolderScanInput) -> FolderScanSummary:
        workflow.set_current_details(f"scanning {request.directory}")
        summary = await workflow.execute_activity(
            "scan_folder",
            request,
            result_type=FolderScanSummary,
            start_to_close_timeout=SCAN_TIMEOUT,
            heartbeat_timeout=SCAN_HEARTBEAT,
            retry_policy=SCAN_RETRY,
        )
        workflow.set_current_details(
            f"{request.directory}: {summary.seen} seen, {summary.started} started, "
            f"{summary.already_known} already known, {summary.still_writing} still being "
            f"written, {summary.failed} failed"
        )
        return summary
