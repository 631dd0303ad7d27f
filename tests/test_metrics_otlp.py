"""Traces leave over OTLP/HTTP when the standard OTEL_* variables say so: a model call's
GenAI spans, and a running worker's workflow and activity spans, arrive at a local
receiver that decodes the real OTLP protobuf."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from temporalio.testing import WorkflowEnvironment

import vouchflow.observability.tracing as tracing
from tests.devserver import ROOT, cli_env, start_worker, starter, wait_status
from tests.invoice_texts import TextInvoice
from tests.test_llm_extraction import GOOD, TEXT, USAGE
from tests.test_metrics_scrape import free_port, scrape
from vouchflow.invoice.extraction.runner import ExtractionRequest, run_extraction
from vouchflow.observability.tracing_setup import (
    TracingConfigError,
    build_tracer_provider,
    exporters_from_env,
    traces_endpoint,
)
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply


@dataclass
class ReceivedSpan:
    name: str
    service: str
    attributes: dict[str, Any]


@dataclass
class OtlpReceiver:
    """An OTLP/HTTP trace receiver on 127.0.0.1: decodes each export request."""

    url: str
    paths: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    spans: list[ReceivedSpan] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    got = OtlpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)  # raises on anything that is not OTLP protobuf
            got.paths.append(self.path)
            got.headers.append({k.lower(): v for k, v in self.headers.items()})
            for resource_spans in request.resource_spans:
                resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        got.spans.append(
                            ReceivedSpan(
                                name=span.name,
                                service=str(resource.get("service.name")),
                                attributes={a.key: _value(a.value) for a in span.attributes},
                            )
                        )
            reply = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


async def test_model_call_spans_reach_an_otlp_collector(
    receiver: OtlpReceiver,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The exporter reads headers from the process environment, as in production.
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-collector-key=k-123")
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_SERVICE_NAME": "vouchflow-test",
        "OTEL_EXPORTER_OTLP_HEADERS": "x-collector-key=k-123",
    }
    provider = build_tracer_provider(env)
    assert provider is not None
    # Spans from the real model-call code path, into this provider (the process-wide one
    # stays untouched for other tests).
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("vouchflow.llm"))
    with FakeOpenAI.start() as fake:
        fake.script(Reply.raw("not json"), Reply.json(GOOD, **USAGE))
        request = ExtractionRequest(text=TEXT, filename="a.txt", provider="openai:gpt-5-mini")
        credentials = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        result = await run_extraction(request, settings, env=credentials)
    assert not result.failed_closed
    assert provider.force_flush(10_000)
    provider.shutdown()

    assert set(receiver.paths) == {"/v1/traces"}
    assert all(h.get("x-collector-key") == "k-123" for h in receiver.headers)
    assert all(h["content-type"] == "application/x-protobuf" for h in receiver.headers)
    assert [s.name for s in receiver.spans] == ["chat gpt-5-mini", "chat gpt-5-mini"]
    first, second = receiver.spans
    assert first.service == "vouchflow-test"
    assert first.attributes["gen_ai.request.model"] == "gpt-5-mini"
    assert first.attributes["gen_ai.provider.name"] == "openai"
    assert [
        first.attributes["vouchflow.llm.attempt"],
        second.attributes["vouchflow.llm.attempt"],
    ] == [1, 2]
    assert second.attributes["gen_ai.usage.input_tokens"] == result.attempts[1].usage.input_tokens


def test_a_signal_specific_endpoint_is_used_as_given(receiver: OtlpReceiver) -> None:
    provider = build_tracer_provider(
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{receiver.url}/collector/traces"}
    )
    assert provider is not None
    with provider.get_tracer("t").start_as_current_span("decide"):
        pass
    provider.force_flush(10_000)
    provider.shutdown()
    assert receiver.paths == ["/collector/traces"]
    assert [(s.name, s.service) for s in receiver.spans] == [("decide", "vouchflow-worker")]


def test_which_exporters_the_environment_asks_for() -> None:
    assert exporters_from_env({}) == set()
    assert exporters_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}) == {"otlp"}
    assert exporters_from_env(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "VOUCHFLOW_TRACING": "console"}
    ) == {"otlp", "console"}
    assert exporters_from_env({"OTEL_TRACES_EXPORTER": "console"}) == {"console"}
    assert (
        exporters_from_env(
            {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}
        )
        == set()
    )
    assert (
        exporters_from_env({"OTEL_SDK_DISABLED": "true", "VOUCHFLOW_TRACING": "console"}) == set()
    )
    assert build_tracer_provider({}) is None
    assert traces_endpoint({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}) == (
        "http://c:4318/v1/traces"
    )
    with pytest.raises(TracingConfigError, match="zipkin"):
        exporters_from_env({"OTEL_TRACES_EXPORTER": "otlp,zipkin"})
    with pytest.raises(TracingConfigError, match="grpc"):
        exporters_from_env(
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
        )


def test_console_besides_otlp(receiver: OtlpReceiver, capfd: pytest.CaptureFixture[str]) -> None:
    provider = build_tracer_provider(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "VOUCHFLOW_TRACING": "console"}
    )
    assert provider is not None
    with provider.get_tracer("t").start_as_current_span("route invoice"):
        pass
    provider.force_flush(10_000)
    provider.shutdown()
    assert [s.name for s in receiver.spans] == ["route invoice"]
    assert '"name": "route invoice"' in capfd.readouterr().err


def test_the_worker_refuses_an_otlp_protocol_it_cannot_speak(tmp_path: Path) -> None:
    env = cli_env("127.0.0.1:1", tmp_path / "home", "startup")
    env.update(
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4317", OTEL_EXPORTER_OTLP_PROTOCOL="grpc"
    )
    proc = subprocess.run(
        [sys.executable, str(ROOT / "worker.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "configuration error" in line]
    assert len(lines) == 1 and "'grpc' is not supported" in lines[0], proc.stderr


async def test_a_running_worker_exports_spans_and_metrics(
    dev_server: WorkflowEnvironment, receiver: OtlpReceiver, tmp_path: Path
) -> None:
    """The production worker process: OTLP from the environment, Prometheus at its bind."""
    bind = f"127.0.0.1:{free_port()}"
    env = cli_env(
        dev_server.client.service_client.config.target_host,
        tmp_path / "home",
        f"otlp-{uuid.uuid4().hex[:8]}",
        VOUCHFLOW_METRICS_BIND=bind,
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
        OTEL_SERVICE_NAME="vouchflow-e2e",
        OTEL_BSP_SCHEDULE_DELAY="100",  # export within 0.1 s, not the default 5 s
    )
    invoice = tmp_path / "invoice.txt"
    invoice.write_bytes(TextInvoice(number="OTLP-1").bytes())
    starter(env, "identity", "add", "clerk")
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        workflow_id = starter(env, "start", str(invoice), "--as", "clerk").stdout.split()[0]
        wait_status(env, workflow_id, "drafted")
        for _ in range(100):
            names = {s.name for s in receiver.spans}
            if {"RunActivity:read_document", "RunActivity:post_draft_bill"} <= names:
                break
            await asyncio.sleep(0.1)
        assert {"RunActivity:read_document", "RunActivity:post_draft_bill"} <= names, names
        assert {s.service for s in receiver.spans} == {"vouchflow-e2e"}
        metrics = await scrape(bind)
        invoices = {"workflow_type": "InvoiceWorkflow"}
        assert metrics.total("vouchflow_routed_total", handling="automatic", **invoices) == 1
        assert metrics.total("vouchflow_decision_latency_seconds_count", **invoices) == 1
        assert metrics.total("vouchflow_activity_attempts_total", retry="false", **invoices) > 3
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, (tmp_path / "worker.log").read_text()[-2000:]
