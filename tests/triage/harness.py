"""Run triage workflows on a real Temporal server (time-skipping or dev) with the
embedded defaults: its own task queue, the shared activities and the triage ones."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.common.audit import AuditActivities
from activities.common.dead_letter import DeadLetterActivities
from activities.common.decisions import DecisionActivities
from activities.common.deps import ActivityDeps, build_deps
from activities.common.messaging import MessagingActivities
from activities.common.rollout import RolloutActivities
from activities.triage.activities import TriageActivities
from schemas.common.decisions import DecisionReply
from schemas.triage.decisions import TriageDecisionRequest
from schemas.triage.events import TicketCreatedV1
from schemas.triage.state import TriageState
from tests.harness import WorkflowTestClient
from vouchflow.settings import Settings
from vouchflow.triage.intake import TriageSubmission, start_triage
from vouchflow.triage.settings import TriageSettings
from workflows.triage.shadow import TriageShadowWorkflow
from workflows.triage.workflow import TriageWorkflow

_counter = iter(range(1, 1_000_000))


def ticket_event(
    *,
    subject: str = "Charged twice - refund urgently",
    body: str = "My card was charged twice this month, please refund the duplicate payment.",
    customer_id: str = "cust-1001",
    plan: str = "pro",
    arr_minor: int = 1_188_000,
    currency: str = "EUR",
    event_id: str | None = None,
    language: str = "en",
) -> TicketCreatedV1:
    n = next(_counter)
    return TicketCreatedV1.model_validate(
        {
            "event": "support_ticket.created.v1",
            "event_id": event_id or f"evt-test-{uuid.uuid4().hex[:12]}",
            "created_at": "2026-12-01T09:00:00Z",
            "ticket": {
                "id": f"T-{n}",
                "subject": subject,
                "body": body,
                "channel": "email",
                "language": language,
            },
            "customer": {
                "id": customer_id,
                "plan": plan,
                "arr": {"amount_minor": arr_minor, "currency": currency},
                "region": "eu-west",
            },
        }
    )


@dataclass
class TriageHarness(WorkflowTestClient[TriageState]):
    state_type: ClassVar[type[Any]] = TriageState
    client: Client
    settings: Settings
    deps: ActivityDeps
    activities: TriageActivities
    env: WorkflowEnvironment | None = None
    submitted: list[str] = field(default_factory=list)

    async def start(self, event: TicketCreatedV1) -> TriageSubmission:
        submission = await start_triage(self.client, self.settings.temporal.task_queue, event)
        self.submitted.append(submission.workflow_id)
        return submission

    async def decide(
        self, workflow_id: str, kind: str, person: str, **fields: Any
    ) -> DecisionReply:
        request = TriageDecisionRequest(
            kind=kind,
            token=self.token(person, workflow_id, kind),
            **fields,
        )
        return await self.handle(workflow_id).execute_update(
            "decide", request, result_type=DecisionReply
        )

    # Tickets say `signal`; the shared client calls it `signal_decision`.
    signal = WorkflowTestClient.signal_decision

    def audit_types(self, workflow_id: str) -> list[str]:
        return [r.type for r in self.deps.audit.trail(workflow_id)]


def triage_worker(
    client: Client,
    settings: Settings,
    deps: ActivityDeps,
    triage_activities: TriageActivities,
    *,
    task_queue: str,
) -> Worker:
    from concurrent.futures import ThreadPoolExecutor

    return Worker(
        client,
        task_queue=task_queue,
        workflows=[TriageWorkflow, TriageShadowWorkflow],
        activities=[
            AuditActivities(deps).append_audit,
            AuditActivities(deps).append_audit_batch,
            DecisionActivities(deps).verify_decision,
            MessagingActivities(deps).send_notification,
            *triage_activities.all(),
            *RolloutActivities(deps).all(),
            *DeadLetterActivities(deps).all(),
        ],
        activity_executor=ThreadPoolExecutor(max_workers=8),
    )


@asynccontextmanager
async def triage_harness(
    target: Client | WorkflowEnvironment,
    settings: Settings,
    *,
    triage: TriageSettings | None = None,
    env: Mapping[str, str] | None = None,
    read_config: bool = False,
) -> AsyncIterator[TriageHarness]:
    """`read_config`: the activities read the [triage] section from the config file (as
    the production worker does) instead of using `triage`."""
    environment = target if isinstance(target, WorkflowEnvironment) else None
    client = target.client if isinstance(target, WorkflowEnvironment) else target
    task_queue = f"triage-{uuid.uuid4().hex[:12]}"
    settings = settings.model_copy(
        update={"temporal": settings.temporal.model_copy(update={"task_queue": task_queue})}
    )
    deps = build_deps(settings)
    activities = TriageActivities(
        deps, None if read_config else (triage or TriageSettings()), env=env or {}
    )
    worker = triage_worker(client, settings, deps, activities, task_queue=task_queue)
    async with worker:
        harness = TriageHarness(
            client=client, settings=settings, deps=deps, activities=activities, env=environment
        )
        try:
            yield harness
        finally:
            await harness.terminate_leftovers()
