"""How every run ends, whatever its workflow."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.trail import AuditTrail


async def close_run(desk: DecisionDesk, trail: AuditTrail, status: str, reason: str) -> None:
    """Answer the decisions still waiting, let every handler finish, record the refusals
    that were only counted, then the run's last record (which writes anything pending)."""
    await desk.drain("the workflow has ended")
    await workflow.wait_condition(workflow.all_handlers_finished)
    await desk.audit_suppressed()
    await trail.record("workflow.finished", {"status": status, "reason": reason})
