"""What Temporal costs: the invoice workflow vs the same steps as plain calls vs no-op activities.

    python bench/bench_workflow.py [--n 200] [--concurrency 64]

One run, three measurements, one table:

1. workflow   N generated text invoices (distinct suppliers and numbers, all known, so
              every one auto-drafts) through the real invoice workflow: the embedded dev
              server, an in-process worker built like worker.py, the local ledger and the
              SQLite audit log. email_delay and revert_window are 10 ms so workflows finish.
              Latency = submit -> draft posted (from the audit log) and submit -> completed.
2. plain      the same pipeline as function calls, no Temporal: read_document,
              extract_with_rules, find_duplicates, assess, ledger create; then again with
              the same number of audit appends per invoice as the workflow writes.
3. no-op      a trivial workflow that runs as many no-op activities, one after another, as
              one invoice workflow executed (counted from its history).

Console notifications and logs are silenced during the runs (their cost is still paid).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio import activity, workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

# The workflow sandbox re-imports this module to run NoopWorkflow: pass the project's
# modules through instead of re-importing them inside it.
with workflow.unsafe.imports_passed_through():
    from activities.common.deps import ActivityDeps, build_deps
    from schemas.invoice.workflow import InvoiceState
    from vouchflow.runtime.binaries import temporal_cli_path
    from vouchflow.runtime.search_attributes import ALL_KEYS
    from vouchflow.runtime.submit import submit_document
    from vouchflow.runtime.worker import build_worker
    from vouchflow.settings import Settings, load_settings

TINY = "10ms"


# ---- the trivial workflow ------------------------------------------------------------------


@activity.defn(name="bench_noop")
async def noop_activity(step: int) -> int:
    return step


@workflow.defn(name="BenchNoopWorkflow")
class NoopWorkflow:
    @workflow.run
    async def run(self, activities: int) -> int:
        total = 0
        for step in range(activities):
            total += await workflow.execute_activity(
                noop_activity, step, start_to_close_timeout=dt.timedelta(seconds=30)
            )
        return total


# ---- inputs --------------------------------------------------------------------------------


_WORDS = [
    "Amber",
    "Birch",
    "Cedar",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbour",
    "Iris",
    "Juniper",
    "Kestrel",
    "Linden",
    "Meadow",
    "Nimbus",
    "Orchard",
    "Pebble",
    "Quarry",
    "Raven",
    "Summit",
    "Thistle",
    "Umber",
    "Valley",
    "Willow",
    "Yarrow",
    "Zephyr",
    "Aspen",
]


def supplier_name(i: int) -> str:
    """Letters only (the rules extractor reads a supplier line as a name, not a code)."""
    w = len(_WORDS)
    return f"{_WORDS[i % w]} {_WORDS[(i // w) % w]} {_WORDS[(i // w // w) % w]} Supplies Ltd"


def invoice_text(i: int) -> tuple[str, str]:
    """(supplier, text) of a small, arithmetically correct GBP invoice, unique per i."""
    supplier = supplier_name(i)
    qty_a, price_a = 1 + i % 7, 1000 + (i * 37) % 9000
    qty_b, price_b = 1 + i % 3, 500 + (i * 53) % 4000
    net_a, net_b = qty_a * price_a, qty_b * price_b
    subtotal = net_a + net_b
    vat = subtotal * 20 // 100

    def money(minor: int) -> str:
        return f"£{minor // 100:,}.{minor % 100:02d}"

    text = (
        f"{supplier}\n1 Bench Road, London EC1A 1BB\nVAT Reg No: GB123456789\n\n"
        f"INVOICE\nInvoice No: BW-{i:06d}\nInvoice Date: 01/10/2026\nDue Date: 31/10/2026\n\n"
        "Bill to: Vouchflow Demo Ltd\n\nDescription    Qty    Unit Price    VAT    Amount\n"
        f"Copier paper    {qty_a}    {money(price_a)}    20%    {money(net_a)}\n"
        f"Toner    {qty_b}    {money(price_b)}    20%    {money(net_b)}\n\n"
        f"Subtotal: {money(subtotal)}\nVAT: {money(vat)}\nTotal: {money(subtotal + vat)}\n"
        "\nPayment terms: 30 days\n"
    )
    return supplier, text


def bench_settings(
    home: Path, n: int, task_queue: str, address: str, extractor: str = "rules"
) -> Settings:
    # One more than n: the warm-up invoice (index n) must auto-draft too.
    suppliers = [invoice_text(i)[0] for i in range(n + 1)]
    return load_settings(
        env={"VOUCHFLOW_HOME": str(home)},
        temporal__address=address,
        temporal__task_queue=task_queue,
        routing__known_suppliers=suppliers,
        effects__email_delay=TINY,
        effects__revert_window=TINY,
        effects__notifier="console",
        effects__email="outbox",
        effects__destination="local",
        extraction__extractor=extractor,
    )


# ---- measurement helpers -------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    n: int
    wall_s: float
    latencies_s: list[float]
    note: str = ""

    @property
    def throughput(self) -> float:
        return self.n / self.wall_s if self.wall_s > 0 else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_s:
            return float("nan")
        ordered = sorted(self.latencies_s)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index]


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Console notifications print per workflow; keep the table readable."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        yield


async def bounded(
    items: Sequence[Any], limit: int, fn: Callable[[Any], Awaitable[Any]]
) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(item: Any) -> Any:
        async with gate:
            return await fn(item)

    return await asyncio.gather(*(one(item) for item in items))


# ---- 1. the invoice workflow ---------------------------------------------------------------


@dataclass
class WorkflowRun:
    figures: Figures
    drafted: Figures
    activities_per_workflow: int
    audit_per_workflow: int
    statuses: dict[str, int]


async def run_invoice_workflows(
    client: Client, address: str, n: int, concurrency: int, home: Path
) -> WorkflowRun:
    task_queue = f"bench-invoices-{uuid.uuid4().hex[:8]}"
    settings = bench_settings(home, n, task_queue, address)
    deps = build_deps(settings)
    worker = build_worker(client, settings, deps, task_queue=task_queue)
    payloads = [invoice_text(i)[1].encode("utf-8") for i in range(n)]
    submitted: dict[str, float] = {}
    done: dict[str, float] = {}
    states: dict[str, InvoiceState] = {}

    async def push(i: int) -> None:
        t0 = time.time()
        sub = await submit_document(
            client,
            settings,
            deps.blobs,
            payloads[i],
            filename=f"bench-{i:05d}.txt",
            source="api",
            submitted_by="bench",
        )
        submitted[sub.workflow_id] = t0
        handle = client.get_workflow_handle(sub.workflow_id, result_type=InvoiceState)
        states[sub.workflow_id] = await asyncio.wait_for(handle.result(), 600)
        done[sub.workflow_id] = time.time()

    async with worker:
        # Warm-up (imports, sandbox, SQLite files) outside the timed run.
        await _warm_up(client, settings, deps, n)
        started = time.time()
        await bounded(range(n), concurrency, push)
        wall = time.time() - started

    latencies = [done[w] - submitted[w] for w in submitted]
    drafted = _drafted_latencies(deps, submitted)
    one_id = next(iter(submitted))
    activities = await count_activities(client, one_id)
    audits = len(deps.audit.trail(one_id))
    statuses: dict[str, int] = {}
    for state in states.values():
        statuses[state.status] = statuses.get(state.status, 0) + 1
    return WorkflowRun(
        figures=Figures("workflow: submit -> completed", n, wall, latencies),
        drafted=Figures("workflow: submit -> draft posted", n, wall, drafted),
        activities_per_workflow=activities,
        audit_per_workflow=audits,
        statuses=statuses,
    )


async def _warm_up(client: Client, settings: Settings, deps: ActivityDeps, index: int) -> None:
    _, text = invoice_text(index)
    sub = await submit_document(
        client, settings, deps.blobs, text.encode(), filename="warm-up.txt", source="api"
    )
    await asyncio.wait_for(client.get_workflow_handle(sub.workflow_id).result(), 120)


def _drafted_latencies(deps: ActivityDeps, submitted: dict[str, float]) -> list[float]:
    out: list[float] = []
    for workflow_id, t0 in submitted.items():
        for record in deps.audit.trail(workflow_id):
            if record.type == "effect.outcome" and record.payload.get("effect") == (
                "post_draft_bill"
            ):
                out.append(record.created_at.timestamp() - t0)
                break
    return out


async def count_activities(client: Client, workflow_id: str) -> int:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return sum(
        1
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    )


# ---- 2. the same pipeline as plain calls ---------------------------------------------------


async def run_plain(n: int, home: Path, audit_writes: int) -> Figures:
    from schemas.common.audit import AuditEntry
    from schemas.invoice.effects import DraftBillRequest, DuplicateQuery
    from vouchflow.documents.reader import read_document
    from vouchflow.invoice.extraction.rules import extract_with_rules
    from vouchflow.invoice.rules.assess import assess

    settings = bench_settings(home, n, "unused", "unused")
    deps = build_deps(settings)
    today = dt.date.today()
    latencies: list[float] = []
    payloads = [invoice_text(i)[1].encode("utf-8") for i in range(n)]
    started = time.time()
    for i, data in enumerate(payloads):
        t0 = time.time()
        workflow_id = f"plain-{i:05d}"
        for k in range(audit_writes // 2):
            _audit(deps, AuditEntry, workflow_id, k)
        blob = deps.blobs.put(data, "text/plain")
        document = read_document(
            data, filename=f"bench-{i:05d}.txt", limits=settings.intake, blobs=deps.blobs
        )
        assert document.text_ref is not None, document.reason
        text = deps.blobs.get_text(document.text_ref.sha256)
        extraction = extract_with_rules(text, filename=f"bench-{i:05d}.txt")
        invoice = extraction.invoice
        duplicates = await deps.destination.find_duplicates(
            DuplicateQuery(
                workflow_id=workflow_id,
                supplier_name=invoice.supplier_name,
                invoice_number=invoice.invoice_number,
                document_sha256=blob.sha256,
            )
        )
        assessment = assess(
            extraction,
            duplicates=duplicates,
            today=today,
            settings=settings,
            text_method=document.method,
        )
        assert assessment.decision.route == "auto_draft", assessment.decision.reasons
        for k in range(audit_writes // 2, audit_writes):
            _audit(deps, AuditEntry, workflow_id, k)
        await deps.destination.create_draft_bill(
            DraftBillRequest(
                workflow_id=workflow_id,
                idempotency_key=f"{workflow_id}:post",
                invoice=assessment.invoice,
                document=blob,
                document_filename=f"bench-{i:05d}.txt",
            ),
            data,
        )
        latencies.append(time.time() - t0)
    wall = time.time() - started
    label = "plain calls" + (f" + {audit_writes} audit appends" if audit_writes else "")
    return Figures(label, n, wall, latencies, note="sequential, one process")


def _audit(deps: ActivityDeps, entry_cls: Any, workflow_id: str, k: int) -> None:
    entry = entry_cls(
        workflow_id=workflow_id,
        run_id="plain",
        type="bench.step",
        payload={"step": k},
        idempotency_key=f"{workflow_id}:{k}",
    )
    deps.audit.append(entry, now=dt.datetime.now(dt.UTC))


# ---- 3. the no-op workflow -----------------------------------------------------------------


async def run_noop(client: Client, n: int, activities: int, concurrency: int) -> Figures:
    task_queue = f"bench-noop-{uuid.uuid4().hex[:8]}"
    latencies: list[float] = []

    async def one(i: int) -> None:
        t0 = time.time()
        await client.execute_workflow(
            NoopWorkflow.run, activities, id=f"noop-{task_queue}-{i}", task_queue=task_queue
        )
        latencies.append(time.time() - t0)

    # Same worker limits as the invoice worker, so only the work differs.
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[NoopWorkflow],
        activities=[noop_activity],
        max_concurrent_activities=32,
    ):
        await one(-1)
        latencies.clear()
        started = time.time()
        await bounded(range(n), concurrency, one)
        wall = time.time() - started
    return Figures(f"no-op workflow ({activities} activities)", n, wall, latencies)


# ---- report --------------------------------------------------------------------------------


def table(rows: list[Figures], baseline: Figures) -> str:
    header = (
        f"{'run':<44} {'n':>5} {'wall s':>8} {'per s':>8} {'p50 ms':>9} {'p95 ms':>9} {'wall x':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        ratio = row.wall_s / baseline.wall_s if baseline.wall_s else float("nan")
        lines.append(
            f"{row.name:<44} {row.n:>5} {row.wall_s:>8.2f} {row.throughput:>8.1f}"
            f" {row.pct(0.5) * 1000:>9.1f} {row.pct(0.95) * 1000:>9.1f} {ratio:>8.2f}"
        )
    return "\n".join(lines)


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200, help="invoices (and no-op workflows)")
    parser.add_argument(
        "--concurrency", type=int, default=64, help="workflows in flight from the client"
    )
    args = parser.parse_args(argv)
    n, concurrency = args.n, args.concurrency

    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli_path()),
        search_attributes=ALL_KEYS,
        data_converter=pydantic_data_converter,
    )
    try:
        client = env.client
        address = client.service_client.config.target_host
        with tempfile.TemporaryDirectory(prefix="vouchflow-bench-") as tmp:
            base = Path(tmp)
            print(f"invoice workflow: {n} invoices, {concurrency} in flight ...", flush=True)
            with quiet():
                wf = await run_invoice_workflows(client, address, n, concurrency, base / "wf")
            print(
                f"  statuses: {wf.statuses}; {wf.activities_per_workflow} activities and"
                f" {wf.audit_per_workflow} audit records per workflow",
                flush=True,
            )
            print("plain calls ...", flush=True)
            with quiet():
                plain = await run_plain(n, base / "plain", 0)
                plain_audit = await run_plain(n, base / "plain-audit", wf.audit_per_workflow)
            print(f"no-op workflow: {wf.activities_per_workflow} activities each ...", flush=True)
            noop = await run_noop(client, n, wf.activities_per_workflow, concurrency)
    finally:
        await env.shutdown()

    print()
    print(table([wf.figures, wf.drafted, noop, plain, plain_audit], baseline=plain))
    print()
    print("wall x = wall time / plain calls' wall time. Latency of the plain rows is per invoice")
    print("(sequential); workflow rows measure from submit with", concurrency, "in flight.")
    print(
        f"Invoice workflow vs no-op workflow (same activity count): "
        f"{wf.figures.wall_s / noop.wall_s:.2f}x wall time;"
        f" p50 {wf.figures.pct(0.5) / max(noop.pct(0.5), 1e-9):.2f}x"
    )
    per_invoice_ms = (wf.figures.wall_s - plain_audit.wall_s) / n * 1000
    print(
        f"Temporal overhead per invoice (throughput view): "
        f"{wf.figures.wall_s / n * 1000:.1f} ms vs {plain_audit.wall_s / n * 1000:.1f} ms"
        f" plain+audit = {per_invoice_ms:+.1f} ms;"
        f" no-op workflow alone {noop.wall_s / n * 1000:.1f} ms"
    )
    print(
        f"median of per-invoice plain latency: {statistics.median(plain.latencies_s) * 1000:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
