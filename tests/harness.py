"""Run invoice workflows against a real Temporal server with the embedded defaults."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.common.deps import ActivityDeps, build_deps
from schemas.common.decisions import DecisionReply, DecisionRequest
from schemas.invoice.workflow import InvoiceState
from vouchflow.identity.keys import ensure_person, load_private_key
from vouchflow.identity.tokens import mint_decision_token
from vouchflow.runtime.submit import Submission, submit_document
from vouchflow.runtime.worker import all_activities, build_worker
from vouchflow.settings import Settings


def activity_name(fn: Callable[..., Any]) -> str:
    defn = getattr(fn, "__temporal_activity_definition", None)
    return str(defn.name) if defn is not None else fn.__name__


class StateLike(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def status_reason(self) -> str: ...


S = TypeVar("S", bound=StateLike)


class WorkflowTestClient(Generic[S]):
    """What a test does with the running workflows of one kind: sign decisions as a
    person, signal them, query and wait for the state, await the result, clean up."""

    client: Client
    settings: Settings
    env: WorkflowEnvironment | None
    submitted: list[str]
    state_type: ClassVar[type[Any]]

    def token(self, person: str, workflow_id: str, action: str, **kwargs: Any) -> str:
        """A decision token signed with `person`'s own credential (created on first use)."""
        key = load_private_key(ensure_person(self.settings.home, person))
        return mint_decision_token(
            key, issuer=person, person=person, workflow_id=workflow_id, action=action, **kwargs
        )

    async def signal_decision(
        self, workflow_id: str, kind: str, person: str, **fields: Any
    ) -> None:
        """A decision by `person` as `temporal workflow signal` sends it (plain JSON)."""
        payload = {"token": self.token(person, workflow_id, kind), **fields}
        await self.handle(workflow_id).signal(kind, payload)

    def handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(workflow_id)

    async def state(self, workflow_id: str) -> S:
        state: S = await self.handle(workflow_id).query("status", result_type=self.state_type)
        return state

    async def wait_for(
        self,
        workflow_id: str,
        predicate: Callable[[S], bool],
        *,
        what: str = "condition",
        timeout_s: float = 30.0,
    ) -> S:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        last: S | None = None
        while loop.time() < deadline:
            try:
                last = await self.state(workflow_id)
                if predicate(last):
                    return last
            except Exception:  # not started yet
                pass
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"timed out waiting for {what}; last status "
            f"{last.status if last else None}: {last.status_reason if last else None}"
        )

    async def wait_status(self, workflow_id: str, *statuses: str, timeout_s: float = 30.0) -> S:
        return await self.wait_for(
            workflow_id,
            lambda s: s.status in statuses,
            what=f"status in {statuses}",
            timeout_s=timeout_s,
        )

    async def result(self, workflow_id: str) -> S:
        handle = self.client.get_workflow_handle(workflow_id, result_type=self.state_type)
        unlock = getattr(self.env, "time_skipping_unlocked", None)
        if unlock is None:
            result: S = await handle.result()
            return result
        # Handles from get_workflow_handle don't skip time by themselves.
        async with unlock():
            result = await handle.result()
            return result

    async def terminate_leftovers(self) -> None:
        """Workflows still waiting on timers would hold up time skipping for later tests."""
        # Let in-flight activities finish first: the test server keeps time skipping
        # locked for an activity that was running when its workflow was terminated.
        loop = asyncio.get_running_loop()
        for workflow_id in set(self.submitted):
            deadline = loop.time() + 10
            while loop.time() < deadline:
                desc = await self.handle(workflow_id).describe()
                if desc.status is None or desc.status.name != "RUNNING":
                    break
                if not desc.raw_description.pending_activities:
                    with contextlib.suppress(Exception):
                        await self.handle(workflow_id).terminate("test finished")
                    break
                await asyncio.sleep(0.05)


@dataclass
class Harness(WorkflowTestClient[InvoiceState]):
    state_type: ClassVar[type[Any]] = InvoiceState

    client: Client
    settings: Settings
    deps: ActivityDeps
    worker: Worker
    env: WorkflowEnvironment | None = None
    submitted: list[str] = field(default_factory=list)

    async def audited(
        self, workflow_id: str, record_type: str, timeout_s: float = 30.0
    ) -> list[str]:
        """The run's audit record types once `record_type` is among them. Records are
        written in batches, flushed before the run waits, so a state query can show a step
        a moment before its record is in the log."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            types = [r.type for r in self.deps.audit.trail(workflow_id)]
            if record_type in types or loop.time() > deadline:
                return types
            await asyncio.sleep(0.05)

    async def submit(
        self,
        data: bytes,
        filename: str = "invoice.txt",
        *,
        submitted_by: str = "clerk",
        prove: bool = True,
    ) -> Submission:
        # The submitter proves who they are with a `submit` token, as the CLI does.
        def sign(workflow_id: str) -> str:
            return self.token(submitted_by, workflow_id, "submit")

        submission = await submit_document(
            self.client,
            self.settings,
            self.deps.blobs,
            data,
            filename=filename,
            source="api",
            submitted_by=submitted_by,
            sign_submission=sign if prove else None,
        )
        self.submitted.append(submission.workflow_id)
        return submission

    async def decide(
        self, workflow_id: str, kind: str, person: str, **fields: Any
    ) -> DecisionReply:
        """A decision by `person` through the `decide` update; returns the workflow's answer."""
        request = DecisionRequest(
            kind=kind,
            token=self.token(person, workflow_id, kind),
            **fields,
        )
        # Not unlocked: a decision must not let the test server skip to the next timer.
        return await self.handle(workflow_id).execute_update(
            "decide", request, result_type=DecisionReply
        )


@asynccontextmanager
async def running_harness(
    target: Client | WorkflowEnvironment,
    settings: Settings,
    *,
    replace_activities: list[Callable[..., Any]] | None = None,
) -> AsyncIterator[Harness]:
    """A worker on its own task queue; `replace_activities` swaps activities by name (to
    stage races a test cannot otherwise time)."""
    env = target if isinstance(target, WorkflowEnvironment) else None
    client = target.client if isinstance(target, WorkflowEnvironment) else target
    task_queue = f"test-{uuid.uuid4().hex[:12]}"
    settings = settings.model_copy(
        update={"temporal": settings.temporal.model_copy(update={"task_queue": task_queue})}
    )
    deps = build_deps(settings)
    activities = all_activities(deps)
    if replace_activities:
        names = {activity_name(fn) for fn in replace_activities}
        activities = [a for a in activities if activity_name(a) not in names]
        activities += replace_activities
    worker = build_worker(client, settings, deps, task_queue=task_queue, activities=activities)
    async with worker:
        harness = Harness(client=client, settings=settings, deps=deps, worker=worker, env=env)
        try:
            yield harness
        finally:
            await harness.terminate_leftovers()
