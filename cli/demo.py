"""`make demo`: start the embedded stack, submit the bundled samples, show where each rests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.progress import Progress

from cli.app import _client, collect_files, wait_until_resting
from cli.render import console, summary_table
from documents.blobs import LocalBlobStore
from runtime import services
from runtime.submit import submit_document
from settings import Settings


async def run_demo(settings: Settings, *, samples_dir: Path) -> int:
    for line in await asyncio.to_thread(services.up, settings):
        console.print(line)
    client = await _client(settings)
    blobs = LocalBlobStore(settings.blob_dir)
    files = collect_files(samples_dir)
    states = []
    # One at a time, in order: duplicate detection compares with drafts already
    # posted, so the re-issued copy must come after the original has been drafted.
    with Progress(console=console) as progress:
        task = progress.add_task("processing samples", total=len(files))
        for file in files:
            submission = await submit_document(
                client,
                settings,
                blobs,
                file.read_bytes(),
                filename=file.name,
                source="demo",
                submitted_by="demo",
            )
            states += await wait_until_resting(client, [submission.workflow_id], timeout_s=60)
            progress.advance(task)
    console.print(summary_table(states, title="vouchflow demo: where each sample invoice rests"))
    ui = settings.temporal.web_ui_url
    console.print(f"\nTemporal Web UI: {ui}/namespaces/{settings.temporal.namespace}/workflows")
    waiting = [s for s in states if s.status == "awaiting_approval"]
    if waiting:
        console.print("\nWaiting for a human. Approve or reject with, for example:")
        first = waiting[0].workflow_id
        console.print(
            f"  .venv/bin/python starter.py approve {first} --reviewer alice --comment 'checked'",
            markup=False,
        )
        console.print(
            f"  .venv/bin/python starter.py reject  {first} --reviewer alice --reason 'not ours'",
            markup=False,
        )
        console.print(
            f"  .venv/bin/temporal workflow signal --workflow-id {first} --name approve "
            '--input \'{"reviewer": "alice", "comment": "ok"}\'',
            markup=False,
        )
        console.print("  Waiting:", markup=False)
        for s in waiting:
            console.print(f"    {s.workflow_id}  {s.event.filename}", markup=False)
    console.print(
        "\nStill running in the background: the Temporal dev server and the worker "
        f"(logs in {settings.home / 'logs'}). Stop both with: make down",
        markup=False,
    )
    return 0
