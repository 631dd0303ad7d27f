"""Run the vouchflow worker: `python worker.py` (what `make up` starts in the background).

Registers the invoice workflow and its activities on the configured task queue,
with the Pydantic data converter. SIGINT/SIGTERM stop polling, let running
activities finish (graceful_shutdown_timeout), then exit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.worker import Worker

from activities.common.audit import AuditActivities
from activities.common.dead_letter import DeadLetterActivities
from activities.common.decisions import DecisionActivities
from activities.common.deps import ActivityDeps, build_deps
from activities.common.messaging import MessagingActivities
from activities.common.rollout import RolloutActivities
from activities.invoice.assessment import AssessmentActivities
from activities.invoice.documents import DocumentActivities
from activities.invoice.effects import EffectActivities
from activities.invoice.extraction import ExtractionActivities
from activities.invoice.folder_watch import FolderActivities
from activities.invoice.templates import TemplateActivities
from activities.proposal.activities import ProposalActivities
from activities.reconciliation.activities import ReconciliationActivities
from activities.triage.activities import TriageActivities
from vouchflow.observability.logging import configure_logging
from vouchflow.observability.retries import RetryCountingInterceptor
from vouchflow.observability.scrubbing import SecretScrubbingInterceptor
from vouchflow.observability.tracing_setup import configure_tracing
from vouchflow.runtime.client import TemporalUnavailable, connect, metrics_runtime
from vouchflow.runtime.codec import codec_from_env
from vouchflow.runtime.exit import exit_process
from vouchflow.settings import Settings, load_settings
from workflows.invoice.folder_watch import FolderScanWorkflow
from workflows.invoice.shadow import InvoiceShadowWorkflow
from workflows.invoice.workflow import InvoiceWorkflow
from workflows.proposal.workflow import TierChangeWorkflow
from workflows.reconciliation.workflow import ReconciliationWorkflow
from workflows.triage.shadow import TriageShadowWorkflow
from workflows.triage.workflow import TriageWorkflow

log = structlog.get_logger("vouchflow.worker")


def all_activities(deps: ActivityDeps) -> list[Callable[..., Any]]:
    documents = DocumentActivities(deps)
    extraction = ExtractionActivities(deps)
    assessment = AssessmentActivities(deps)
    audit = AuditActivities(deps)
    effects = EffectActivities(deps)
    messaging = MessagingActivities(deps)
    decisions = DecisionActivities(deps)
    templates = TemplateActivities(deps)
    return [
        decisions.verify_decision,
        documents.read_document,
        extraction.extract_invoice_fields,
        extraction.resolve_prompt,
        assessment.load_policy,
        assessment.find_duplicates,
        assessment.assess_invoice,
        assessment.check_approval,
        templates.check_supplier_template,
        templates.learn_supplier_template,
        audit.append_audit,
        audit.append_audit_batch,
        effects.post_draft_bill,
        effects.revert_draft_bill,
        messaging.send_notification,
        messaging.send_email,
        FolderActivities(deps).scan_folder,
        *TriageActivities(deps).all(),
        *ProposalActivities(deps).all(),
        *RolloutActivities(deps).all(),
        *DeadLetterActivities(deps).all(),
        *ReconciliationActivities(deps).all(),
    ]


def build_worker(
    client: Client,
    settings: Settings,
    deps: ActivityDeps,
    *,
    task_queue: str | None = None,
    activities: list[Callable[..., Any]] | None = None,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue or settings.temporal.task_queue,
        workflows=[
            InvoiceWorkflow,
            FolderScanWorkflow,
            TriageWorkflow,
            InvoiceShadowWorkflow,
            TriageShadowWorkflow,
            ReconciliationWorkflow,
            TierChangeWorkflow,
        ],
        activities=activities or all_activities(deps),
        activity_executor=ThreadPoolExecutor(max_workers=32),
        max_concurrent_activities=32,
        graceful_shutdown_timeout=dt.timedelta(seconds=10),
        # Workflow and activity spans join the model-call spans (no-op without a provider).
        interceptors=[
            TracingInterceptor(),
            RetryCountingInterceptor(),
            SecretScrubbingInterceptor(),  # scrub innermost
        ],
    )


def check_startup_config(settings: Settings) -> None:
    """Misconfiguration is a start-up error, not a failure on the first invoice."""
    from vouchflow.effects.factory import check_effects_config
    from vouchflow.invoice.extraction.factory import check_extractor_config

    check_effects_config(settings)
    check_extractor_config(settings)
    from vouchflow.triage.settings import check_triage_config, load_triage_settings

    check_triage_config(load_triage_settings())
    from vouchflow.proposal.settings import check_proposal_config, load_proposal_settings

    check_proposal_config(load_proposal_settings())
    codec_from_env()  # a malformed payload key must stop the worker, not the first invoice


async def main() -> int:
    settings = load_settings()
    configure_logging(settings)
    try:
        # OTLP and/or console spans, from the standard OTEL_* variables.
        tracing = configure_tracing(os.environ)
        check_startup_config(settings)
    except Exception as err:  # a config error must read as one line
        print(f"vouchflow worker: configuration error: {err}", file=sys.stderr)
        return 2
    metrics_bind = os.environ.get("VOUCHFLOW_METRICS_BIND")
    runtime = metrics_runtime(metrics_bind) if metrics_bind else None
    try:
        client = await connect(settings, runtime=runtime)
    except TemporalUnavailable as err:
        print(str(err), file=sys.stderr)
        return 1
    deps = build_deps(settings)
    worker = build_worker(client, settings, deps)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "worker started",
        task_queue=settings.temporal.task_queue,
        address=settings.temporal.address,
        extractor=settings.extraction.extractor,
        destination=settings.effects.destination,
        metrics=f"http://{metrics_bind}/metrics" if metrics_bind else "off",
    )
    async with worker:
        await stop.wait()
        log.info("shutting down: finishing running activities")
    log.info("worker stopped")
    if tracing is not None:
        tracing.shutdown()  # flush the last spans to the collector
    return 0


def run() -> int:
    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 130
    except Exception:
        # A crash outside start-up checks: the operator needs the traceback, then a code.
        traceback.print_exc()
        return 1


def run_and_exit() -> None:
    """The `vouchflow-worker` console script (and worker.py)."""
    exit_process(run())


if __name__ == "__main__":
    run_and_exit()
