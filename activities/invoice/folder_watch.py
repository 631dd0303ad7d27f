"""The watched-folder scan: submit each new file, then move it out of the way.

A file is a candidate when it is a regular file (symlinks are not followed: a link to
/etc/passwd must not become an "invoice"), not hidden, not a partial download, and
directly in the watched folder (never in processed/ or failed/). A candidate whose size
or mtime changes across the settle pause is still being written and waits a round.

The scan only decides what to look at; what is read is decided again on the opened
file (see ``runtime.submit.store_file``): a name swapped for a link, a FIFO or a
directory after the scan is refused, and so is a file over the size cap, before a
byte is read. Refused files move to failed/ with the reason.

Submission is idempotent by content hash, so a crash between submit and move (the
activity then retries) or a second copy of the same document only attaches to the
existing workflow and is reported as "already known".
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from schemas.common.documents import BlobRef
from vouchflow.documents.blobs import BlobStore
from vouchflow.runtime.errors import user_message
from vouchflow.runtime.submit import FileRefused, Submission, store_file, submit_stored
from workflows.invoice.folder_watch import (
    FAILED_DIR,
    PROCESSED_DIR,
    FolderScanInput,
    FolderScanSummary,
    ScannedFile,
)

# Browsers and copy tools write under these names and rename when done.
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", "~")

Submit = Callable[[BlobRef, str], Awaitable[Submission]]


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


def snapshot(directory: Path) -> dict[str, FileStat]:
    """Candidate files directly in ``directory``, by name."""
    found: dict[str, FileStat] = {}
    with os.scandir(directory) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed while we looked
            if stat.S_ISREG(st.st_mode):
                found[name] = FileStat(st.st_size, st.st_mtime_ns)
    return found


def settled(before: dict[str, FileStat], after: dict[str, FileStat]) -> tuple[list[str], int]:
    """(names unchanged across both looks, sorted; how many changed or appeared meanwhile)."""
    stable = sorted(name for name, st in before.items() if after.get(name) == st)
    return stable, len(set(before) | set(after)) - len(stable)


def move_aside(path: Path, folder: str, tag: str) -> Path:
    """Move into DIR/<folder>/ without overwriting an earlier file of the same name."""
    target_dir = path.parent / folder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        target = target_dir / f"{path.stem}.{tag}{path.suffix}"
    os.replace(path, target)
    return target


async def scan_directory(
    request: FolderScanInput,
    submit: Submit,
    heartbeat: Callable[[str], None] | None = None,
    *,
    blobs: BlobStore,
    max_bytes: int,
) -> FolderScanSummary:
    directory = Path(request.directory)
    if not await asyncio.to_thread(directory.is_dir):
        raise ApplicationError(
            f"watched folder {directory} does not exist or is not a directory",
            type="NotADirectory",
            non_retryable=True,
        )
    before = await asyncio.to_thread(snapshot, directory)
    await asyncio.sleep(request.settle_seconds)
    after = await asyncio.to_thread(snapshot, directory)
    stable, changing = settled(before, after)
    summary = FolderScanSummary(
        directory=str(directory),
        seen=len(stable),
        still_writing=changing,
        deferred=max(len(stable) - request.max_files, 0),
    )
    for name in stable[: request.max_files]:
        if heartbeat is not None:
            heartbeat(name)
        path = directory / name
        try:
            ref = await asyncio.to_thread(store_file, blobs, path, max_bytes=max_bytes)
        except FileNotFoundError:
            summary.seen -= 1  # taken away by someone else; nothing to do
            continue
        except (FileRefused, OSError) as err:
            # Not a file we may read (link, FIFO, too large, permissions, I/O error): set
            # it aside with the reason and keep scanning.
            tag = "refused" if isinstance(err, FileRefused) else "unreadable"
            moved = await asyncio.to_thread(move_aside, path, FAILED_DIR, tag)
            summary.failed += 1
            summary.files.append(
                ScannedFile(
                    filename=name,
                    outcome="failed",
                    moved_to=str(moved),
                    reason=user_message(err),
                )
            )
            continue
        # Temporal or blob-store trouble raises here: the activity retries, and files
        # already submitted are only attached on the next attempt.
        submission = await submit(ref, name)
        moved = await asyncio.to_thread(
            move_aside, path, PROCESSED_DIR, submission.document_sha256[:12]
        )
        outcome = "started" if submission.started else "already_known"
        if submission.started:
            summary.started += 1
        else:
            summary.already_known += 1
        summary.files.append(
            ScannedFile(
                filename=name,
                outcome=outcome,
                workflow_id=submission.workflow_id,
                moved_to=str(moved),
            )
        )
    return summary


class FolderActivities:
    """``client`` defaults to the worker's own client (``activity.client()``)."""

    def __init__(self, deps: ActivityDeps, client: Client | None = None) -> None:
        self._deps = deps
        self._client = client

    @activity.defn(name="scan_folder")
    async def scan_folder(self, request: FolderScanInput) -> FolderScanSummary:
        client = self._client or activity.client()

        async def submit(ref: BlobRef, filename: str) -> Submission:
            return await submit_stored(
                client,
                self._deps.settings,
                ref,
                filename=filename,
                source="folder",
                submitted_by=request.submitted_by,
            )

        return await scan_directory(
            request,
            submit,
            heartbeat=activity.heartbeat,
            blobs=self._deps.blobs,
            max_bytes=self._deps.settings.intake.max_file_bytes,
        )
