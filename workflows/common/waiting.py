"""Waiting for a person, for every workflow: the decision inbox against a row of timers.

A workflow asks for a decision (`begin`), then waits (`until_decided`) for whichever comes
first: a decision in the desk's inbox, which the workflow applies (a refused one keeps the
wait going), or the next timer. Every timer but the last nudges people (a reminder, an
escalation) and the wait goes on; the last one (expiry) ends it. Timers count from when
the wait began, so a run continued as new (long waits keep histories short) keeps their
times: `started` and `fired` are what it carries over. Whatever still waits in the inbox
when the wait ends is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.common.decision_desk import DecisionDesk, PendingDecision
    from workflows.common.trail import AuditTrail

# (how long after the wait began, its kind): "reminder", "escalation", ... "expiry" last.
Timer = tuple[timedelta, str]
OutcomeT = TypeVar("OutcomeT")


class PersonWait:
    """One wait for a person's decision. `open` says whether the workflow takes decisions
    now (its desk's gate reads it)."""

    def __init__(
        self,
        desk: DecisionDesk,
        trail: AuditTrail,
        *,
        started: datetime | None = None,
        fired: int = 0,
    ) -> None:
        self._desk = desk
        self._trail = trail
        self.open = False
        self.started = started
        self.fired = fired

    async def begin(self, ask: Callable[[], Awaitable[object]]) -> None:
        """Take decisions from now on. The first time (not in a continued run) the wait
        starts its clock and `ask`s people for the decision."""
        self.open = True
        if self.started is None:
            self.started = workflow.now()
            await ask()

    async def until_decided(
        self,
        timers: Sequence[Timer],
        *,
        apply: Callable[[PendingDecision], Awaitable[OutcomeT | None]],
        on_timer: Callable[[str], Awaitable[None]],
        on_expiry: Callable[[], Awaitable[str]],
        history_is_long: Callable[[], bool] | None = None,
        continue_as_new: Callable[[], Awaitable[None]] | None = None,
    ) -> OutcomeT | None:
        """The outcome `apply` gave the first decision it accepted (None from `apply`:
        refused, keep waiting), or None when the last timer ended the wait (`on_expiry`
        ends the run and says why). With `continue_as_new`, a long history carries the
        wait into a fresh run; it returns when a decision arrived meanwhile."""
        assert self.started is not None, "begin the wait first"
        started = self.started
        last = len(timers) - 1

        def long() -> bool:
            return history_is_long is not None and history_is_long()

        while True:
            if continue_as_new is not None and not self._desk.inbox and long():
                await continue_as_new()
            due = min(self.fired, last)
            after, kind = timers[due]
            remaining = max(started + after - workflow.now(), timedelta(0))
            await self._trail.flush()  # nothing stays pending while a person is awaited
            try:
                await workflow.wait_condition(
                    lambda: bool(self._desk.inbox) or long(), timeout=remaining
                )
            except TimeoutError:
                self.fired += 1
                if due < last:
                    await on_timer(kind)
                    continue
                self.open = False
                why = await on_expiry()
                await self._desk.drain(why)
                return None
            if not self._desk.inbox:
                continue
            outcome = await apply(self._desk.inbox.pop(0))
            if outcome is None:
                continue
            self.open = False
            await self._desk.drain("a decision was already made")
            return outcome
