"""Run tier-change workflows on a real Temporal server (time-skipping or dev) with the
embedded defaults: their own task queue, the shared activities and the proposal ones."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
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
from activities.proposal.activities import ProposalActivities
from schemas.common.decisions import DecisionReply, DecisionRequest
from schemas.proposal.events import TierChangeRequestedV1
from schemas.proposal.state import ProposalState
from tests.harness import WorkflowTestClient
from vouchflow.proposal.intake import ProposalSubmission, request_event, start_proposal
from vouchflow.proposal.settings import ProposalSettings
from vouchflow.settings import Settings
from workflows.proposal.workflow import TierChangeWorkflow


def tier_request(
    text: str,
    *,
    customer_id: str = "cus_acme",
    tier: str = "standard",
    now: dt.datetime,
    source: str = "email",
    event_id: str | None = None,
) -> TierChangeRequestedV1:
    event = request_event(customer_id=customer_id, tier=tier, text=text, source=source, now=now)
    return event.model_copy(update={"event_id": event_id or f"evt-{uuid.uuid4().hex[:12]}"})


@dataclass
class ProposalHarness(WorkflowTestClient[ProposalState]):
    state_type: ClassVar[type[Any]] = ProposalState
    client: Client
    settings: Settings
    deps: ActivityDeps
    activities: ProposalActivities
    env: WorkflowEnvironment | None = None
    submitted: list[str] = field(default_factory=list)

    async def start(self, event: TierChangeRequestedV1) -> ProposalSubmission:
        submission = await start_proposal(self.client, self.settings.temporal.task_queue, event)
        self.submitted.append(submission.workflow_id)
        return submission

    async def run(self, event: TierChangeRequestedV1) -> ProposalState:
        return await self.result((await self.start(event)).workflow_id)

    async def decide(
        self, workflow_id: str, kind: str, person: str, **fields: Any
    ) -> DecisionReply:
        request = DecisionRequest(kind=kind, token=self.token(person, workflow_id, kind), **fields)
        return await self.handle(workflow_id).execute_update(
            "decide", request, result_type=DecisionReply
        )

    def audit_types(self, workflow_id: str) -> list[str]:
        """Record types in order; effect records name their effect
        (`effect.intent:billing.tier_change`)."""
        return [
            f"{r.type}:{r.payload.get('effect')}" if r.type.startswith("effect.") else r.type
            for r in self.deps.audit.trail(workflow_id)
        ]

    async def now(self) -> dt.datetime:
        """The server's time (time skipping runs ahead of the wall clock)."""
        if self.env is not None:
            return (await self.env.get_current_time()).astimezone(dt.UTC)
        return dt.datetime.now(dt.UTC)


def proposal_worker(
    client: Client, deps: ActivityDeps, activities: ProposalActivities, *, task_queue: str
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[TierChangeWorkflow],
        activities=[
            AuditActivities(deps).append_audit,
            AuditActivities(deps).append_audit_batch,
            DecisionActivities(deps).verify_decision,
            MessagingActivities(deps).send_notification,
            # The dead letter: operators' checks, and what a re-run reads of earlier runs.
            *DeadLetterActivities(deps).all(),
            *RolloutActivities(deps).all(),
            *activities.all(),
        ],
        activity_executor=ThreadPoolExecutor(max_workers=8),
    )


@asynccontextmanager
async def proposal_harness(
    target: Client | WorkflowEnvironment,
    settings: Settings,
    *,
    proposal: ProposalSettings | None = None,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[ProposalHarness]:
    environment = target if isinstance(target, WorkflowEnvironment) else None
    client = target.client if isinstance(target, WorkflowEnvironment) else target
    task_queue = f"proposal-{uuid.uuid4().hex[:12]}"
    settings = settings.model_copy(
        update={"temporal": settings.temporal.model_copy(update={"task_queue": task_queue})}
    )
    deps = build_deps(settings)
    activities = ProposalActivities(deps, proposal or ProposalSettings(), env=env or {})
    async with proposal_worker(client, deps, activities, task_queue=task_queue):
        harness = ProposalHarness(
            client=client, settings=settings, deps=deps, activities=activities, env=environment
        )
        try:
            yield harness
        finally:
            await harness.terminate_leftovers()
