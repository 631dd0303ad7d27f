"""The support-ticket triage workflow's state machine.

    intake (policy -> customer context -> classify (provider chain) -> route
            -> audit the decision, before any effect) -> store the decision (its queue)
      -> review (confirm / correct, reminder, expiry) -> store the final decision | ended
      -> escalation issue (urgent billing) -> notify -> routed

One workflow per event: its id derives from `event_id`, so a second delivery of the same
event attaches to the first and no effect happens twice. Deterministic: no I/O, clocks
or randomness here; activities are called by name.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.triage.state import TriageState, TriageWorkflowInput
    from workflows.common.dead_letter import DeadLetterHandlers
    from workflows.common.handlers import DecisionHandlers
    from workflows.common.trail import count
    from workflows.triage.effects import EffectSteps
    from workflows.triage.intake import IntakeSteps
    from workflows.triage.review import DECISIONS, ReviewSteps


@workflow.defn(name="TriageWorkflow")
class TriageWorkflow(
    IntakeSteps, ReviewSteps, EffectSteps, DecisionHandlers[TriageState], DeadLetterHandlers
):
    @workflow.init
    def __init__(self, request: TriageWorkflowInput) -> None:
        resume = request.resume
        self._begin_run(
            resume.state.model_copy(update={"runs": resume.state.runs + 1})
            if resume is not None
            else TriageState(workflow_id=workflow.info().workflow_id, event=request.event),
            resume.policy if resume is not None else None,
            DECISIONS,
            refusals_audited=lambda policy: policy.review.refusals_audited,
            carried=resume,
        )

    @workflow.run
    async def run(self, request: TriageWorkflowInput) -> TriageState:
        await self._guarded(self._process(request))
        await self._close()
        count("vouchflow_tickets_finished", {"status": self._state.status})
        return self._state

    async def _process(self, request: TriageWorkflowInput) -> None:
        if request.resume is None:
            going = await self._intake(request)
            going = going and await self._store_decision("initial")
        else:
            await self._trail.record(
                "workflow.continued", {"phase": "review", "run": self._state.runs}
            )
            going = True
        if going and self._state.route is not None and self._state.route.route == "review":
            going = await self._review() and await self._store_decision("final")
        if going:
            await self._deliver()

    # ---- a ticket's own signals (decide, status: workflows.common.handlers) -------------

    @workflow.signal(name="confirm")
    async def confirm(self, raw: Any) -> None:
        await self._desk.receive("confirm", raw)

    @workflow.signal(name="correct")
    async def correct(self, raw: Any) -> None:
        await self._desk.receive("correct", raw)
