"""`watch DIR --every 1m` / `unwatch DIR`: a watched folder as a Temporal Schedule.

The schedule (visible under Schedules in the Web UI, and with `temporal schedule list`)
starts a `FolderScanWorkflow` every interval; overlap policy SKIP means a scan still
running when the next is due is not doubled. The folder is read by the worker, so the
path must exist on the worker's machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleHandle,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from vouchflow.settings import Settings
from vouchflow.settings.config import parse_duration
from workflows.invoice.folder_watch import (
    DEFAULT_SETTLE_SECONDS,
    FolderScanInput,
    FolderScanWorkflow,
    watch_id,
)

MIN_INTERVAL = dt.timedelta(seconds=10)
# A scan that hangs must not hold the schedule (SKIP) forever.
SCAN_EXECUTION_TIMEOUT = dt.timedelta(minutes=30)


def resolve_dir(raw: str | Path) -> Path:
    return Path(raw).resolve()


def build_schedule(
    directory: Path,
    every: dt.timedelta,
    task_queue: str,
    *,
    submitted_by: str = "folder-watch",
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
) -> Schedule:
    request = FolderScanInput(
        directory=str(directory), submitted_by=submitted_by, settle_seconds=settle_seconds
    )
    return Schedule(
        action=ScheduleActionStartWorkflow(
            FolderScanWorkflow.run,
            request,
            id=watch_id(str(directory)).replace("folder-watch-", "folder-scan-", 1),
            task_queue=task_queue,
            execution_timeout=SCAN_EXECUTION_TIMEOUT,
            static_summary=f"Scan {directory}",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note=f"vouchflow watched folder {directory}"),
    )


async def watch_folder(
    client: Client,
    settings: Settings,
    directory: Path,
    every: dt.timedelta,
    *,
    submitted_by: str = "folder-watch",
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    trigger_now: bool = False,
) -> tuple[ScheduleHandle, bool]:
    """Create the folder's schedule, or update it in place. (handle, created)."""
    directory = resolve_dir(directory)
    schedule = build_schedule(
        directory,
        every,
        settings.temporal.task_queue,
        submitted_by=submitted_by,
        settle_seconds=settle_seconds,
    )
    schedule_id = watch_id(str(directory))
    try:
        handle = await client.create_schedule(
            schedule_id, schedule, trigger_immediately=trigger_now
        )
        return handle, True
    except ScheduleAlreadyRunningError:
        pass
    handle = client.get_schedule_handle(schedule_id)

    def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=schedule)

    await handle.update(replace)
    if trigger_now:
        await handle.trigger()
    return handle, False


async def unwatch_folder(client: Client, directory: Path) -> bool:
    """Delete the folder's schedule. False if it was not being watched."""
    handle = client.get_schedule_handle(watch_id(str(resolve_dir(directory))))
    try:
        await handle.delete()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


# ---- CLI ----------------------------------------------------------------------------------


def add_watch_parsers(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "watch", help="watch a folder: submit new files on a schedule (Temporal Schedule)"
    )
    p.add_argument("directory")
    p.add_argument("--every", default="1m", help="scan interval, e.g. 30s, 1m, 1h (default 1m)")
    p.add_argument("--submitted-by", default="folder-watch", help="who submits (cannot approve)")
    p.add_argument("--now", action="store_true", help="also scan once right away")

    p = subparsers.add_parser("unwatch", help="stop watching a folder (deletes its schedule)")
    p.add_argument("directory")


async def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.app import CliError, _client

    directory = resolve_dir(args.directory)
    if not await asyncio.to_thread(directory.is_dir):
        raise CliError(f"not a directory: {directory}")
    try:
        every = parse_duration(args.every)
    except (ValueError, OverflowError) as err:
        from vouchflow.runtime.errors import user_message

        raise CliError(f"--every: {user_message(err)}") from err
    if every < MIN_INTERVAL:
        raise CliError(f"--every must be at least {MIN_INTERVAL.total_seconds():.0f}s")
    client = await _client(settings)
    handle, created = await watch_folder(
        client,
        settings,
        directory,
        every,
        submitted_by=args.submitted_by,
        trigger_now=args.now,
    )
    verb = "watching" if created else "updated watch on"
    print(f"{verb} {directory} every {args.every} (schedule {handle.id})")
    print(f"new files are submitted, then moved to {directory / 'processed'}")
    return 0


async def cmd_unwatch(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.app import CliError, _client

    directory = resolve_dir(args.directory)
    client = await _client(settings)
    if not await unwatch_folder(client, directory):
        raise CliError(f"{directory} is not being watched (no schedule {watch_id(str(directory))})")
    print(f"stopped watching {directory}")
    return 0
