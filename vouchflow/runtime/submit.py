"""Submitting documents: store the bytes, start (or attach to) the workflow.

Shared by the CLI, the gateway, the watched folder, the demo and the benchmark.

Files are read through :func:`store_file`: opened without following a symbolic link
(a file swapped for a link to /etc/passwd after a directory scan is refused, not
read), checked to be a regular file and within the size cap on the opened descriptor
*before* a byte is read, then streamed into the blob store in chunks while hashing,
so a huge (or sparse) file never costs its size in memory or in the blob store.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import hashlib
import io
import mimetypes
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict, Unpack

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from schemas.common.documents import BlobRef
from schemas.invoice.events import InvoiceReceivedV1
from schemas.invoice.workflow import InvoiceWorkflowInput, invoice_workflow_id
from vouchflow.documents.blobs import BlobStore, LocalBlobStore
from vouchflow.runtime.event_intake import start_new
from vouchflow.settings import Settings

CHUNK_BYTES = 1 << 20

# Given the invoice workflow id, returns a `submit` token proving who submits it.
SignSubmission = Callable[[str], str]


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    filename: str
    document_sha256: str
    started: bool  # False = the same document was already submitted (no second workflow)


class FileRefused(ValueError):
    """A file that is not submitted (link, not a regular file, too large); one-line reason."""


def store_file(
    blobs: BlobStore,
    path: Path,
    *,
    max_bytes: int,
    follow_symlinks: bool = False,
    content_type: str | None = None,
) -> BlobRef:
    """Stream a regular file into the blob store; FileRefused without storing anything.

    ``follow_symlinks`` is for a path a person typed; entries found by scanning a
    directory are never followed. FileNotFoundError when the file went away.
    """
    with _open_checked(path, max_bytes, follow_symlinks=follow_symlinks) as handle:
        return _stream_into(blobs, handle, path.name, max_bytes, content_type)


def read_file(path: Path, *, max_bytes: int, follow_symlinks: bool = True) -> bytes:
    """A regular file's bytes, with the same checks as :func:`store_file` (for local use)."""
    try:
        with _open_checked(
            path, max_bytes, follow_symlinks=follow_symlinks, label=str(path)
        ) as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FileRefused(f"no such file: {path}") from None
    if len(data) > max_bytes:
        raise FileRefused(f"{path} is over the {max_bytes:,}-byte limit")
    return data


def _open_checked(
    path: Path, max_bytes: int, *, follow_symlinks: bool, label: str | None = None
) -> io.FileIO:
    """Open, then decide on the opened descriptor (what was checked is what is read)."""
    name = label or path.name
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK  # a FIFO must not block the open
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as err:
        if err.errno == errno.ELOOP and not follow_symlinks:
            raise FileRefused(f"{name} is a symbolic link (not followed)") from None
        raise FileRefused(f"{name} cannot be opened: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused(f"{name} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{name} is not a regular file")
        if info.st_size > max_bytes:
            raise FileRefused(
                f"{name} is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit"
            )
        os.set_blocking(fd, True)
        return io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise


def _stream_into(
    blobs: BlobStore, handle: io.FileIO, name: str, max_bytes: int, content_type: str | None
) -> BlobRef:
    read = handle.read
    staging = blobs.root if isinstance(blobs, LocalBlobStore) else None
    if staging is not None:
        staging.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=staging, prefix=".incoming-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:  # grew while we read it
                    raise FileRefused(f"{name} is over the {max_bytes:,}-byte limit")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        if isinstance(blobs, LocalBlobStore):
            target = blobs.path_for(sha)
            if not blobs.exists(sha):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)  # same filesystem: atomic, no second copy
            return BlobRef(sha256=sha, size_bytes=size, media_type=content_type)
        # Other stores take bytes; the size is already bounded by max_bytes.
        return blobs.put(tmp.read_bytes(), content_type)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class Origin(TypedDict, total=False):
    """Where a document comes from, as every submit function takes it (the defaults are
    :func:`submit_stored`'s)."""

    source: str
    submitted_by: str
    sign_submission: SignSubmission | None


async def submit_file(
    client: Client,
    settings: Settings,
    blobs: BlobStore,
    path: Path,
    *,
    filename: str | None = None,
    follow_symlinks: bool = False,
    **origin: Unpack[Origin],
) -> Submission:
    """Submit a file from disk (see :func:`store_file` for what is refused)."""
    name = filename or path.name
    content_type = mimetypes.guess_type(name)[0]
    ref = await asyncio.to_thread(
        store_file,
        blobs,
        path,
        max_bytes=settings.intake.max_file_bytes,
        follow_symlinks=follow_symlinks,
        content_type=content_type,
    )
    return await submit_stored(
        client, settings, ref, filename=name, content_type=content_type, **origin
    )


async def submit_document(
    client: Client,
    settings: Settings,
    blobs: BlobStore,
    data: bytes,
    *,
    filename: str,
    content_type: str | None = None,
    **origin: Unpack[Origin],
) -> Submission:
    """Submit bytes already in memory (the gateway's uploads, tests, benchmarks)."""
    ref = await asyncio.to_thread(blobs.put, data, content_type)
    return await submit_stored(
        client, settings, ref, filename=filename, content_type=content_type, **origin
    )


async def submit_stored(
    client: Client,
    settings: Settings,
    ref: BlobRef,
    *,
    filename: str,
    source: str = "cli",
    submitted_by: str = "unknown",
    content_type: str | None = None,
    sign_submission: SignSubmission | None = None,
) -> Submission:
    workflow_id = invoice_workflow_id(ref.sha256)
    event = InvoiceReceivedV1(
        event_id=hashlib.sha256(f"{source}:{filename}:{ref.sha256}".encode()).hexdigest()[:32],
        source=source,
        filename=filename,
        content_type=content_type or mimetypes.guess_type(filename)[0],
        document_sha256=ref.sha256,
        size_bytes=ref.size_bytes,
        submitted_by=submitted_by,
        submitter_token=sign_submission(workflow_id) if sign_submission else None,
        received_at=dt.datetime.now(dt.UTC),
    )
    # Same document again: attach to the running workflow, or refused by the ended one;
    # never a second draft.
    started = await start_new(
        client,
        "InvoiceWorkflow",
        InvoiceWorkflowInput(event=event),
        workflow_id=workflow_id,
        task_queue=settings.temporal.task_queue,
        summary=f"Invoice {filename}",
    )
    return Submission(
        workflow_id=workflow_id, filename=filename, document_sha256=ref.sha256, started=started
    )
