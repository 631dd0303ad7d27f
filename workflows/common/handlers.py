"""The handlers people and tools use on every workflow, written once.

`decide` (update) takes one decision and answers whether it was accepted, and why (the
CLI, the gateway, the review page); `status` (query) returns the workflow's state. A
workflow a person approves also takes the `approve` and `reject` signals (plain JSON, so
`temporal workflow signal` works). Every decision goes to the workflow's DecisionDesk,
which reads it, checks its proof and asks the workflow whether it can take it now; a
workflow adds only the signals of its own decisions (a ticket's confirm and correct, an
invoice's cancel_email and revert).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.decisions import DecisionReply
    from workflows.common.decision_desk import DecisionDesk

StateT = TypeVar("StateT")


class DecisionHandlers(Generic[StateT]):
    """The `decide` update and the `status` query. The workflow sets `_desk` and `_state`."""

    _desk: DecisionDesk
    _state: StateT

    @workflow.update(name="decide")
    async def decide(self, raw: Any) -> DecisionReply:
        """One decision; the sender learns whether it was accepted, and why."""
        return await self._desk.receive_update(raw)

    @decide.validator
    def _validate_decide(self, raw: Any) -> None:
        self._desk.validate_update(raw)

    @workflow.query(name="status")
    def status(self) -> StateT:
        return self._state


class ApproveRejectSignals:
    """`approve` and `reject`, for the workflows a person approves."""

    _desk: DecisionDesk

    @workflow.signal(name="approve")
    async def approve(self, raw: Any) -> None:
        await self._desk.receive("approve", raw)

    @workflow.signal(name="reject")
    async def reject(self, raw: Any) -> None:
        await self._desk.receive("reject", raw)
