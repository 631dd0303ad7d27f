"""`make demo`: start the embedded stack, submit the bundled samples, show where each rests.

Before submitting, the demo makes the credentials its printed commands need, in the
state directory: one per approver in the config, one for the demo submitter (so
four-eyes applies to the samples), and the gateway's service credential (Slack and
the review page vouch with it). Existing credentials are kept.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.progress import Progress

from vouchflow.cli.app import _client, collect_files, wait_until_resting
from vouchflow.cli.identity import Signer, resolve_signer
from vouchflow.cli.render import console, summary_table
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.identity.keys import ensure_person, ensure_service
from vouchflow.identity.tokens import MAX_TTL
from vouchflow.runtime import services
from vouchflow.runtime.submit import submit_file
from vouchflow.settings import Settings

DEMO_SUBMITTER = "demo-clerk"
GATEWAY_CHANNELS = ["slack", "review-page", "webhook"]


def ensure_demo_credentials(settings: Settings) -> list[str]:
    """Credentials for every approver, the demo submitter and the gateway. Ids made."""
    people = [a.id for a in settings.approval.approvers] + [DEMO_SUBMITTER]
    for person in people:
        ensure_person(settings.home, person)
    ensure_service(settings.home, "gateway", GATEWAY_CHANNELS)
    return people


async def run_demo(settings: Settings, *, samples_dir: Path) -> int:
    for line in await asyncio.to_thread(services.up, settings):
        console.print(line)
    people = await asyncio.to_thread(ensure_demo_credentials, settings)
    submitter: Signer = resolve_signer(settings, DEMO_SUBMITTER, None)
    client = await _client(settings)
    blobs = LocalBlobStore(settings.blob_dir)
    files = collect_files(samples_dir)
    states = []
    # One at a time, in order: duplicate detection compares with drafts already
    # posted, so the re-issued copy must come after the original has been drafted.
    with Progress(console=console) as progress:
        task = progress.add_task("processing samples", total=len(files))
        for file in files:
            submission = await submit_file(
                client,
                settings,
                blobs,
                file,
                source="demo",
                submitted_by=submitter.person,
                sign_submission=lambda wf: submitter.token(wf, "submit", ttl=MAX_TTL),
            )
            states += await wait_until_resting(client, [submission.workflow_id], timeout_s=60)
            progress.advance(task)
    console.print(summary_table(states, title="vouchflow demo: where each sample invoice rests"))
    ui = services.web_ui_url(settings)
    console.print(f"\nTemporal Web UI: {ui}/namespaces/{settings.temporal.namespace}/workflows")
    console.print(
        f"Credentials for {', '.join(people)} and the gateway are in "
        f"{(settings.home / 'identity').resolve()}",
        markup=False,
    )
    waiting = [s for s in states if s.status == "awaiting_approval"]
    if waiting:
        approver = settings.approval.approvers[0].id if settings.approval.approvers else "alice"
        console.print("\nWaiting for a human. Approve or reject with, for example:")
        first = waiting[0].workflow_id
        for line in demo_commands(first, approver):
            console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
        console.print("  Waiting:", markup=False)
        for s in waiting:
            console.print(f"    {s.workflow_id}  {s.event.filename}", markup=False)
    from vouchflow.triage.cli import demo_tickets

    await demo_tickets(client, settings, samples_dir.parent / "tickets")
    from vouchflow.proposal.cli import demo_tier_changes

    await demo_tier_changes(client, settings, samples_dir.parent / "tier_changes")
    console.print(
        "\nStill running in the background: the Temporal dev server and the worker "
        f"(logs in {settings.home / 'logs'}). Stop both with: make down",
        markup=False,
    )
    return 0


def demo_commands(workflow_id: str, approver: str) -> list[str]:
    """Copy-pasteable decision commands (each signs with the approver's own key)."""
    return [
        f".venv/bin/python starter.py approve {workflow_id} --as {approver} --comment 'checked'",
        f".venv/bin/python starter.py reject  {workflow_id} --as {approver} --reason 'not ours'",
        f".venv/bin/temporal workflow signal --workflow-id {workflow_id} --name approve "
        f'--input "{{\\"token\\": \\"$(.venv/bin/python starter.py token --as {approver} '
        f'--workflow {workflow_id} --action approve)\\", \\"comment\\": \\"ok\\"}}"',
    ]
