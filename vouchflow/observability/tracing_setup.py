"""Where spans go, from the standard OpenTelemetry environment.

    OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   OTLP/HTTP (protobuf)
        to a collector (Jaeger, Tempo, the OpenTelemetry Collector, Honeycomb, ...), with
        OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE read by the exporter
    OTEL_TRACES_EXPORTER      otlp | console | none, comma-separated (overrides the above)
    VOUCHFLOW_TRACING=console also print every span to stderr
    OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES   the resource (default vouchflow-worker)
    OTEL_SDK_DISABLED=true    no tracing at all

Nothing set: no provider, and spans cost nothing (the API's no-op).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)

DEFAULT_SERVICE = "vouchflow-worker"
_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_PROTOCOLS = ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
_KNOWN = frozenset({"otlp", "console", "none"})


class TracingConfigError(ValueError):
    """A tracing setting the worker cannot honour (a start-up error, not a silent no-op)."""


def exporters_from_env(env: Mapping[str, str]) -> set[str]:
    """Which exporters the environment asks for."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return set()
    chosen: set[str]
    if env.get("OTEL_TRACES_EXPORTER", "").strip():
        chosen = {e.strip().lower() for e in env["OTEL_TRACES_EXPORTER"].split(",") if e.strip()}
        unknown = chosen - _KNOWN
        if unknown:
            raise TracingConfigError(
                f"OTEL_TRACES_EXPORTER: {', '.join(sorted(unknown))} not supported "
                "(use otlp, console or none)"
            )
    else:
        chosen = {"otlp"} if any(env.get(k, "").strip() for k in _ENDPOINTS) else set()
    if env.get("VOUCHFLOW_TRACING", "").strip().lower() == "console":
        chosen.add("console")
    chosen.discard("none")
    if "otlp" in chosen:
        protocol = next((env[k].strip() for k in _PROTOCOLS if env.get(k, "").strip()), "")
        if protocol and protocol != "http/protobuf":
            raise TracingConfigError(
                f"OTLP protocol {protocol!r} is not supported: vouchflow exports "
                "http/protobuf (point the endpoint at the collector's HTTP port, 4318)"
            )
    return chosen


def traces_endpoint(env: Mapping[str, str]) -> str | None:
    """The signal-specific endpoint as given; the base endpoint plus /v1/traces (the
    OTLP specification's rule); None = the exporter's default (localhost:4318)."""
    specific = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if specific:
        return specific
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    return f"{base.rstrip('/')}/v1/traces" if base else None


def build_tracer_provider(env: Mapping[str, str]) -> TracerProvider | None:
    """A provider with the exporters the environment asks for, or None for none."""
    chosen = exporters_from_env(env)
    if not chosen:
        return None
    service = env.get("OTEL_SERVICE_NAME", "").strip() or DEFAULT_SERVICE
    # Resource.create adds OTEL_RESOURCE_ATTRIBUTES (host, deployment...) from the process.
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    if "otlp" in chosen:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # Headers, timeout, compression and certificate: the exporter reads the standard
        # variables itself. Batching keeps the export off the activity's path.
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(traces_endpoint(env))))
    if "console" in chosen:
        # stderr, beside the JSON logs (stdout is the CLI's).
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
    return provider


def configure_tracing(env: Mapping[str, str]) -> TracerProvider | None:
    """Install the provider for the process (the worker calls this once at start and
    `shutdown()` on the result at exit, which flushes the last spans)."""
    provider = build_tracer_provider(env)
    if provider is not None:
        trace.set_tracer_provider(provider)
    return provider
