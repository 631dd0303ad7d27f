"""Connecting to Temporal with the project's data converter, and friendly failure."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError

from vouchflow.observability.metrics import HISTOGRAM_BUCKETS
from vouchflow.runtime.codec import data_converter
from vouchflow.settings import Settings


class TemporalUnavailable(RuntimeError):
    """Raised with a one-line, actionable message when the server can't be reached."""


def metrics_runtime(bind_address: str) -> Runtime:
    """A Temporal runtime exporting SDK and workflow metrics (vouchflow_* business
    counters included) at http://BIND/metrics for Prometheus."""
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(
                bind_address=bind_address,
                counters_total_suffix=True,
                histogram_bucket_overrides=HISTOGRAM_BUCKETS,
            )
        )
    )


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    address = settings.temporal.address
    try:
        return await Client.connect(
            address,
            namespace=settings.temporal.namespace,
            data_converter=data_converter(),
            runtime=runtime,
        )
    except ValueError as err:  # a malformed address (e.g. a port out of range)
        raise TemporalUnavailable(
            f"Temporal address {address!r} is not valid ({err}); set TEMPORAL_ADDRESS to host:port"
        ) from err
    except (RuntimeError, RPCError, OSError) as err:
        raise TemporalUnavailable(
            f"Temporal is not reachable at {address} ({type(err).__name__}); "
            "start it with `make up` (or set TEMPORAL_ADDRESS)."
        ) from err
