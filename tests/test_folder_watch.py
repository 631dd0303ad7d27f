"""Watched-folder intake: a Temporal Schedule on the real dev server starts a folder scan,
each new file becomes one invoice workflow (a duplicate copy attaches), files move aside."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow, ScheduleOverlapPolicy
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.invoice.folder_watch import scan_directory, settled, snapshot
from schemas.common.documents import BlobRef
from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.cli.app import CliError
from vouchflow.cli.watch import cmd_unwatch, cmd_watch, watch_folder
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.runtime.submit import Submission
from vouchflow.settings import Settings
from workflows.invoice.folder_watch import FolderScanInput, FolderScanSummary, watch_id


def _cli_settings(h: Harness, dev: WorkflowEnvironment) -> Settings:
    """What `starter.py` would load: the harness's task queue, the dev server's address."""
    address = dev.client.service_client.config.target_host
    return h.settings.model_copy(
        update={"temporal": h.settings.temporal.model_copy(update={"address": address})}
    )


async def _next_scan(client: Client, schedule_id: str, already: int) -> FolderScanSummary:
    """Wait for the schedule's next action and return that scan's summary."""
    handle = client.get_schedule_handle(schedule_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        desc = await handle.describe()
        if desc.info.num_actions > already and desc.info.recent_actions:
            action = desc.info.recent_actions[-1].action
            assert isinstance(action, ScheduleActionExecutionStartWorkflow)
            scan = client.get_workflow_handle(action.workflow_id, result_type=FolderScanSummary)
            return await scan.result()
        await asyncio.sleep(0.1)
    raise AssertionError("the schedule never started a scan")


def _invoice(number: str) -> bytes:
    return TextInvoice(number=number, lines=[Line("Office chairs", 3, 12000)]).bytes()


async def test_watch_schedule_scans_submits_dedupes_moves_and_unwatches(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(_invoice("FW-1"))
    (inbox / "b.txt").write_bytes(_invoice("FW-2"))
    (inbox / "a-copy.txt").write_bytes(_invoice("FW-1"))  # same bytes as a.txt
    (inbox / ".hidden.txt").write_bytes(_invoice("FW-3"))
    (inbox / "processed").mkdir()
    (inbox / "processed" / "old.txt").write_bytes(_invoice("FW-OLD"))

    async with running_harness(dev_server, make_settings(tmp_path / "home")) as h:
        cli_settings = _cli_settings(h, dev_server)
        args = argparse.Namespace(
            directory=str(inbox), every="1h", submitted_by="scanner", now=False
        )
        assert await cmd_watch(args, cli_settings) == 0

        schedule_id = watch_id(str(inbox))
        handle = h.client.get_schedule_handle(schedule_id)
        desc = await handle.describe()
        assert desc.schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
        assert [i.every.total_seconds() for i in desc.schedule.spec.intervals] == [3600]
        assert desc.info.num_actions == 0

        await handle.trigger()
        summary = await _next_scan(h.client, schedule_id, already=0)

        assert (summary.seen, summary.started, summary.already_known) == (3, 2, 1)
        assert summary.failed == 0
        by_name = {f.filename: f for f in summary.files}
        assert set(by_name) == {"a.txt", "a-copy.txt", "b.txt"}
        # The copy attached to a.txt's workflow: one workflow per document, not per file.
        assert by_name["a.txt"].workflow_id == by_name["a-copy.txt"].workflow_id
        assert by_name["a.txt"].workflow_id != by_name["b.txt"].workflow_id
        pair = {by_name["a.txt"].outcome, by_name["a-copy.txt"].outcome}
        assert pair == {"started", "already_known"}
        invoice_ids = {f.workflow_id for f in summary.files if f.workflow_id}
        assert len(invoice_ids) == 2
        h.submitted.extend(invoice_ids)
        for workflow_id in invoice_ids:
            state = await h.wait_status(workflow_id, "awaiting_approval", "drafted")
            assert state.event.source == "folder"
            assert state.event.submitted_by == "scanner"

        remaining = sorted(p.name for p in inbox.iterdir())
        assert remaining == [".hidden.txt", "processed"]
        processed = sorted(p.name for p in (inbox / "processed").iterdir())
        assert processed == ["a-copy.txt", "a.txt", "b.txt", "old.txt"]

        # A file with the name of one already processed is kept beside it, not overwritten.
        (inbox / "b.txt").write_bytes(_invoice("FW-4"))
        await handle.trigger()
        again = await _next_scan(h.client, schedule_id, already=1)
        assert (again.seen, again.started, again.already_known) == (1, 1, 0)
        h.submitted.extend(f.workflow_id for f in again.files if f.workflow_id)
        moved = Path(again.files[0].moved_to or "")
        assert moved.parent == inbox / "processed" and moved.name != "b.txt"
        assert (inbox / "processed" / "b.txt").read_bytes() == _invoice("FW-2")

        # Watching again updates the one schedule in place.
        _, created = await watch_folder(h.client, cli_settings, inbox, dt.timedelta(minutes=5))
        assert not created
        desc = await handle.describe()
        assert [i.every.total_seconds() for i in desc.schedule.spec.intervals] == [300]

        assert await cmd_unwatch(argparse.Namespace(directory=str(inbox)), cli_settings) == 0
        with pytest.raises(RPCError) as gone:
            await handle.describe()
        assert gone.value.status == RPCStatusCode.NOT_FOUND
        with pytest.raises(CliError, match="not being watched"):
            await cmd_unwatch(argparse.Namespace(directory=str(inbox)), cli_settings)


async def test_watch_refuses_a_missing_folder_and_a_too_short_interval(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path / "home")
    with pytest.raises(CliError, match="not a directory"):
        await cmd_watch(
            argparse.Namespace(
                directory=str(tmp_path / "nope"), every="1m", submitted_by="x", now=False
            ),
            settings,
        )
    with pytest.raises(CliError, match="at least"):
        await cmd_watch(
            argparse.Namespace(directory=str(tmp_path), every="1s", submitted_by="x", now=False),
            settings,
        )


# ---- file selection (no server) --------------------------------------------------------------


class _Recorder:
    """A submit function that records what it was given (stands in for submit_document)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    async def __call__(self, ref: BlobRef, filename: str) -> Submission:
        self.names.append(filename)
        return Submission(
            workflow_id=f"invoice-{ref.sha256[:32]}",
            filename=filename,
            document_sha256=ref.sha256,
            started=True,
        )


def _scan(
    request: FolderScanInput,
    submit: _Recorder,
    blobs: LocalBlobStore,
    *,
    max_bytes: int = 20_000_000,
    heartbeat: Callable[[str], None] | None = None,
) -> Coroutine[Any, Any, FolderScanSummary]:
    return scan_directory(request, submit, heartbeat, blobs=blobs, max_bytes=max_bytes)


async def test_scan_skips_files_still_being_written(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path.parent / f"{tmp_path.name}-blobs")
    (tmp_path / "done.txt").write_bytes(b"finished invoice")
    growing = tmp_path / "growing.pdf"
    growing.write_bytes(b"%PDF-1.7\n")
    stop = asyncio.Event()

    async def keep_writing() -> None:
        while not stop.is_set():
            with growing.open("ab") as fh:
                fh.write(b"0" * 64)
            await asyncio.sleep(0.01)

    writer = asyncio.create_task(keep_writing())
    submit = _Recorder()
    try:
        summary = await _scan(
            FolderScanInput(directory=str(tmp_path), settle_seconds=0.3), submit, blobs
        )
    finally:
        stop.set()
        await writer
    assert submit.names == ["done.txt"]
    assert summary.still_writing == 1 and summary.started == 1
    assert growing.exists()  # left in place for the next round

    later = await _scan(FolderScanInput(directory=str(tmp_path), settle_seconds=0.0), submit, blobs)
    assert [f.filename for f in later.files] == ["growing.pdf"]


async def test_scan_ignores_hidden_partial_symlinks_and_subfolders(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path.parent / f"{tmp_path.name}-blobs")
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text("not an invoice")
    (tmp_path / "ok.txt").write_text("invoice")
    (tmp_path / ".DS_Store").write_text("x")
    (tmp_path / "big.pdf.part").write_text("half")
    (tmp_path / "link.txt").symlink_to(secret)
    (tmp_path / "failed").mkdir()
    (tmp_path / "failed" / "bad.txt").write_text("x")
    (tmp_path / "nested").mkdir()
    submit = _Recorder()
    summary = await _scan(
        FolderScanInput(directory=str(tmp_path), settle_seconds=0.0), submit, blobs
    )
    assert submit.names == ["ok.txt"]
    assert summary.seen == 1
    assert (tmp_path / "link.txt").is_symlink() and secret.read_text() == "not an invoice"


async def test_scan_caps_files_per_round(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path.parent / f"{tmp_path.name}-blobs")
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(f"invoice {i}")
    submit = _Recorder()
    summary = await _scan(
        FolderScanInput(directory=str(tmp_path), settle_seconds=0.0, max_files=2), submit, blobs
    )
    assert submit.names == ["0.txt", "1.txt"]
    assert summary.deferred == 3
    left = sorted(p.name for p in tmp_path.glob("*.txt"))  # noqa: ASYNC240
    assert left == ["2.txt", "3.txt", "4.txt"]


def test_settled_compares_size_and_mtime(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("1")
    before = snapshot(tmp_path)
    (tmp_path / "x.txt").write_text("12")
    (tmp_path / "y.txt").write_text("new")
    stable, changing = settled(before, snapshot(tmp_path))
    assert stable == [] and changing == 2


def test_watch_id_is_stable_per_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    assert watch_id("in") == watch_id(str(tmp_path / "in"))
    assert watch_id(str(tmp_path / "in")) != watch_id(str(tmp_path / "other"))


# ---- what is read is decided on the opened file ---------------------------------------------


def _stored(blobs: LocalBlobStore) -> list[Path]:
    if not blobs.root.exists():
        return []
    return [p for p in blobs.root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("swap_to", ["symlink", "fifo", "directory"])
async def test_a_file_swapped_after_the_scan_is_refused_not_read(
    tmp_path: Path, swap_to: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:not an invoice")
    (inbox / "invoice.txt").write_bytes(_invoice("SWAP-1"))
    blobs = LocalBlobStore(tmp_path / "blobs")

    def swap(name: str) -> None:
        # Runs after both looks at the folder, just before the file is opened.
        path = inbox / name
        path.unlink()
        if swap_to == "symlink":
            path.symlink_to(secret)
        elif swap_to == "fifo":
            os.mkfifo(path)  # opening it for reading would block a naive reader forever
        else:
            path.mkdir()

    submit = _Recorder()
    summary = await asyncio.wait_for(
        _scan(
            FolderScanInput(directory=str(inbox), settle_seconds=0.0),
            submit,
            blobs,
            heartbeat=swap,
        ),
        timeout=10,
    )
    assert submit.names == []
    assert (summary.failed, summary.started) == (1, 0)
    reason = summary.files[0].reason
    expected = {
        "symlink": "is a symbolic link (not followed)",
        "fifo": "is not a regular file",
        "directory": "is a directory, not a file",
    }[swap_to]
    assert expected in reason
    assert _stored(blobs) == []
    assert secret.read_text() == "root:x:0:0:not an invoice"
    moved = Path(summary.files[0].moved_to or "")
    assert moved.parent == inbox / "failed"


async def test_a_huge_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    huge = inbox / "huge.pdf"
    with huge.open("wb") as fh:
        fh.truncate(1 << 30)  # 1 GB, sparse: costs no disk
    (inbox / "small.txt").write_bytes(_invoice("SMALL-1"))
    blobs = LocalBlobStore(tmp_path / "blobs")
    submit = _Recorder()
    started = time.monotonic()
    summary = await _scan(
        FolderScanInput(directory=str(inbox), settle_seconds=0.0),
        submit,
        blobs,
        max_bytes=20_000_000,
    )
    assert time.monotonic() - started < 5
    assert submit.names == ["small.txt"]
    refused = next(f for f in summary.files if f.filename == "huge.pdf")
    assert refused.outcome == "failed"
    assert refused.reason == "huge.pdf is 1,073,741,824 bytes, over the 20,000,000-byte limit"
    # Only the small file reached the blob store, streamed and hashed on the way.
    stored = _stored(blobs)
    assert [p.read_bytes() for p in stored] == [_invoice("SMALL-1")]
    assert [p.name for p in stored] == [hashlib.sha256(_invoice("SMALL-1")).hexdigest()]
    assert (inbox / "failed" / "huge.pdf").stat().st_size == 1 << 30


async def test_streamed_file_keys_by_its_content_hash(tmp_path: Path) -> None:
    from vouchflow.runtime.submit import CHUNK_BYTES, FileRefused, store_file

    blobs = LocalBlobStore(tmp_path / "blobs")
    data = os.urandom(CHUNK_BYTES * 3 + 17)  # several chunks and a tail
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    ref = store_file(blobs, path, max_bytes=len(data))
    assert ref.sha256 == hashlib.sha256(data).hexdigest() and ref.size_bytes == len(data)
    assert blobs.get(ref.sha256) == data
    assert store_file(blobs, path, max_bytes=len(data)) == ref  # idempotent
    with pytest.raises(FileRefused, match="over the"):
        store_file(blobs, path, max_bytes=len(data) - 1)
    assert not [p for p in (tmp_path / "blobs").rglob(".incoming-*")]
