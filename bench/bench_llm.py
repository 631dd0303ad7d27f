"""Model extraction benchmarks.

Accuracy: score one extractor on the corpus (field accuracy, failures, tokens, cost):

    python bench/bench_llm.py --provider openai:gpt-5-mini [--corpus ../shared/corpus]

Uses the PDF text layer (pdfplumber) or the .txt file; labelled fields only.

Throughput: what the workflow adds around a slow model. A fake OpenAI server answers
every call after a fixed delay (default 300 ms) with a correct invoice; N invoices go
through the full invoice workflow (embedded dev server, in-process worker, extractor
openai:gpt-5-mini), then the same N model extractions run as a plain script with the
same SDK and code, sequentially and concurrently:

    python bench/bench_llm.py --throughput 100 [--delay-ms 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import sys
import tempfile
import time
import uuid
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pdfplumber

# The fakes live with the tests (tests/fakes): make the project root importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_workflow import Figures, _drafted_latencies, bench_settings, bounded, invoice_text, quiet
from starlette.requests import Request
from starlette.responses import Response
from temporalio.client import Client

from activities.common.deps import build_deps
from schemas.invoice.invoice import HEADER_FIELDS
from schemas.invoice.workflow import InvoiceState
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.runner import ExtractionRequest, run_extraction
from vouchflow.runtime.submit import submit_document
from vouchflow.runtime.worker import build_worker
from vouchflow.settings import load_settings
from vouchflow.testing.fakes import FakeOpenAI, Reply

FIELDS = HEADER_FIELDS


def _text(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--provider", default="rules")
    parser.add_argument("--corpus", default=str(Path(__file__).parents[2] / "shared" / "corpus"))
    parser.add_argument(
        "--throughput", type=int, metavar="N", help="run the throughput benchmark with N invoices"
    )
    parser.add_argument("--delay-ms", type=int, default=300, help="fake model latency")
    args = parser.parse_args()
    if args.throughput:
        await run_throughput(args.throughput, args.delay_ms / 1000)
        return
    corpus = Path(args.corpus)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    settings = load_settings()
    right = total = failed = cost = tokens = 0
    started = time.monotonic()
    for doc in manifest["documents"]:
        path = corpus / doc["file"]
        request = ExtractionRequest(text=_text(path), filename=path.name, provider=args.provider)
        try:
            result = await run_extraction(request, settings)
        except ExtractionError as exc:
            print(f"{doc['id']}: error ({'retryable' if exc.retryable else 'final'}): {exc}")
            failed += 1
            continue
        failed += result.failed_closed
        cost += result.usage.cost_micro_usd
        tokens += result.usage.input_tokens + result.usage.output_tokens
        got = result.invoice.ground_truth_view()
        for field in FIELDS:
            if field in doc.get("labeled_fields", []):
                total += 1
                right += got.get(field) == doc["ground_truth"].get(field)
    print(f"provider={args.provider} docs={len(manifest['documents'])} failed={failed}")
    print(f"field accuracy {right}/{total} = {right / max(total, 1):.1%}")
    print(f"tokens={tokens} cost={cost} micro-USD time={time.monotonic() - started:.1f}s")


# ---- throughput: the workflow around a slow model ------------------------------------------

_REPLY: ContextVar[Reply | None] = ContextVar("bench_reply", default=None)
_FENCED = re.compile(r"<<<DOCUMENT (\w+)>>>\n?(.*?)\n?<<<END DOCUMENT \1>>>", re.DOTALL)
MODEL = "gpt-5-mini"


def perfect_answer(body: dict[str, Any]) -> dict[str, Any]:
    """What a perfect model returns: the invoice in the fenced document, read exactly."""
    from vouchflow.invoice.extraction.rules import extract_with_rules

    user = body["input"][0]["content"]
    match = _FENCED.search(user)
    invoice = extract_with_rules(match.group(2) if match else user).invoice
    values = invoice.model_dump(mode="json")
    return {
        "invoice_likelihood": 0.99,
        **{
            key: values.get(key)
            for key in (
                "supplier_name",
                "invoice_number",
                "issue_date",
                "due_date",
                "currency",
                "subtotal_minor",
                "tax_total_minor",
                "total_minor",
            )
        },
        "amounts_tax_inclusive": False,
        "supplier_vat_id": None,
        "buyer_name": None,
        "line_items": [
            {
                "description": line.description,
                "quantity": None if line.quantity is None else str(line.quantity),
                "unit_price_minor": line.unit_price_minor,
                "tax_rate": None if line.tax_rate is None else str(line.tax_rate),
                "line_total_minor": line.line_total_minor,
            }
            for line in invoice.line_items
        ],
        "evidence": [
            {"field": field, "source_text": None, "certainty": 0.97}
            for field in (
                "supplier_name",
                "invoice_number",
                "issue_date",
                "currency",
                "total_minor",
            )
        ],
    }


class SlowModel(FakeOpenAI):
    """The fake OpenAI server, answering every Responses call after a fixed delay."""

    delay_s = 0.3

    async def _responses(self, request: Request) -> Response:
        await asyncio.sleep(self.delay_s)
        body = json.loads(await request.body())  # Starlette caches it for the handler
        # A context variable, not the shared script: concurrent calls each get their own.
        _REPLY.set(Reply.json(perfect_answer(body), input_tokens=1500, output_tokens=400))
        return await super()._responses(request)

    def _next(self) -> Reply | None:
        reply = _REPLY.get()
        return reply if reply is not None else super()._next()


def _ideal(delay_s: float, n: int, slots: int) -> float:
    return delay_s * math.ceil(n / slots)


async def _workflow_run(
    client: Client, address: str, home: Path, n: int
) -> tuple[Figures, Figures, int, dict[str, int]]:
    task_queue = f"bench-llm-{uuid.uuid4().hex[:8]}"
    settings = bench_settings(home, n, task_queue, address, extractor=f"openai:{MODEL}")
    deps = build_deps(settings)
    worker = build_worker(client, settings, deps, task_queue=task_queue)
    slots = int(worker.config().get("max_concurrent_activities") or 0)
    payloads = [invoice_text(i)[1].encode("utf-8") for i in range(n + 1)]
    submitted: dict[str, float] = {}
    done: dict[str, float] = {}
    statuses: dict[str, int] = {}

    async def push(i: int) -> None:
        t0 = time.time()
        sub = await submit_document(
            client, settings, deps.blobs, payloads[i], filename=f"llm-{i:05d}.txt", source="api"
        )
        state = await asyncio.wait_for(
            client.get_workflow_handle(sub.workflow_id, result_type=InvoiceState).result(), 600
        )
        if i < n:
            submitted[sub.workflow_id] = t0
            done[sub.workflow_id] = time.time()
            statuses[state.status] = statuses.get(state.status, 0) + 1

    async with worker:
        await push(n)  # warm-up, untimed
        started = time.time()
        await asyncio.gather(*(push(i) for i in range(n)))
        wall = time.time() - started
    completed = Figures(
        "workflow: submit -> completed", n, wall, [done[w] - submitted[w] for w in submitted]
    )
    drafted = Figures(
        "workflow: submit -> draft posted", n, wall, _drafted_latencies(deps, submitted)
    )
    return completed, drafted, slots, statuses


async def _plain_run(home: Path, n: int, concurrency: int, env: dict[str, str]) -> Figures:
    settings = bench_settings(home, n, "unused", "unused", extractor=f"openai:{MODEL}")
    texts = [invoice_text(i)[1] for i in range(n)]
    latencies: list[float] = []

    async def one(i: int) -> None:
        t0 = time.time()
        request = ExtractionRequest(
            text=texts[i], filename=f"llm-{i:05d}.txt", provider=f"openai:{MODEL}"
        )
        result = await run_extraction(request, settings, env=env)
        assert not result.failed_closed, result.failure_reason
        latencies.append(time.time() - t0)

    started = time.time()
    await bounded(range(n), concurrency, one)
    wall = time.time() - started
    how = "sequential" if concurrency == 1 else f"{concurrency} concurrent"
    return Figures(f"plain script, same SDK ({how})", n, wall, latencies)


async def run_throughput(n: int, delay_s: float) -> None:
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from vouchflow.runtime.binaries import temporal_cli_path
    from vouchflow.runtime.search_attributes import ALL_KEYS

    fake = SlowModel.start()
    fake.delay_s = delay_s
    env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
    # The extraction activity reads the provider settings from the environment.
    os.environ.update(env)
    server = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli_path()),
        search_attributes=ALL_KEYS,
        data_converter=pydantic_data_converter,
    )
    try:
        address = server.client.service_client.config.target_host
        with tempfile.TemporaryDirectory(prefix="vouchflow-bench-llm-") as tmp:
            print(
                f"{n} invoices through the workflow,"
                f" model answers after {delay_s * 1000:.0f} ms ...",
                flush=True,
            )
            with quiet():
                completed, drafted, slots, statuses = await _workflow_run(
                    server.client, address, Path(tmp) / "wf", n
                )
            calls = len(fake.requests)
            print(f"  statuses: {statuses}; model calls: {calls} (incl. 1 warm-up)", flush=True)
            print("plain script ...", flush=True)
            sequential = await _plain_run(Path(tmp) / "seq", n, 1, env)
            concurrent = await _plain_run(Path(tmp) / "conc", n, slots, env)
    finally:
        await server.shutdown()
        fake.stop()

    ideal = _ideal(delay_s, n, slots)
    rows = [
        (completed, ideal),
        (drafted, ideal),
        (concurrent, _ideal(delay_s, n, slots)),
        (sequential, _ideal(delay_s, n, 1)),
    ]
    header = (
        f"{'run':<44} {'wall s':>7} {'ideal s':>8} {'ratio':>6} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'+ms/inv':>8}"
    )
    print()
    print(
        f"worker max_concurrent_activities = {slots};"
        f" ideal = {delay_s * 1000:.0f} ms x ceil({n}/slots)"
    )
    print(header)
    print("-" * len(header))
    for fig, best in rows:
        print(
            f"{fig.name:<44} {fig.wall_s:>7.2f} {best:>8.2f} {fig.wall_s / best:>6.2f}"
            f" {fig.pct(0.5) * 1000:>8.0f} {fig.pct(0.95) * 1000:>8.0f}"
            f" {(fig.wall_s - best) / n * 1000:>8.1f}"
        )
    print()
    print(
        "+ms/inv = (wall - ideal) / n. Workflow vs plain concurrent script:"
        f" {(completed.wall_s - concurrent.wall_s) / n * 1000:+.1f} ms per invoice"
        f" ({completed.wall_s / concurrent.wall_s:.2f}x wall time);"
        f" per-call latency p50 {completed.pct(0.5) * 1000:.0f} ms vs"
        f" {sequential.pct(0.5) * 1000:.0f} ms for one plain call."
    )


if __name__ == "__main__":
    asyncio.run(main())
