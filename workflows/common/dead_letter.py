"""The dead letter, for every workflow: a run that cannot go on parks instead of ending.

When an effect keeps failing past its retry budget (or the remote side refuses it), or a
run would end `needs_attention`, the workflow parks: it records `dead_letter.parked`
(the failure, the attempts, what it needs), sets the `VouchflowDeadLetter` search
attribute to the kind of failure (`vouchflow failed list`, the Web UI) and waits for an
authorized operator's `dead_letter` update:

    resume  retry the failed step; its request, and so its idempotency key, is unchanged,
            so the effect still happens exactly once
    rerun   start again from the beginning as a re-run (continue-as-new with a
            RerunRequest: the new run checks the proof again and its effect keys carry
            the re-run number, as a prompt-version re-run's do)
    close   give up: the run ends `needs_attention` with the operator's reason

The operator proves who they are with a signed token bound to this workflow (`operate`
for resume/close, `rerun` for a re-run), checked by `verify_decision`; the worker's own
operator list is checked by `check_operator`. Refusals are audited (the first few, then
counted). The wait is bounded: nobody acting within PARK_FOR, or a history grown long
from refused actions, ends the run `needs_attention` with its reason (a finished run can
still be re-run from the start with `vouchflow failed rerun ID --from-start`).

How a workflow uses it (see workflows/common/steps.py `_end_needs_attention`): inherit
`DeadLetterHandlers` (the `dead_letter` update and query), create

    self._dead_letter = DeadLetter(self._trail, self._desk, status=lambda: self._state.status)

and where the run would end `needs_attention`:

    if self._dead_letter.enabled():            # workflow.patched: old runs end as before
        set the status to needs_attention (and tell people)
        final = await self._dead_letter.settle(failure, reason, make_input, prompt_version=...)
        if final is None: retry the step (resumed: same request, same key)
        reason = final                          # closed / expired (a re-run never returns)
    end needs_attention with `reason`
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from schemas.common.dead_letter import (
        DEAD_LETTER_ACTIONS,
        DeadLetterKind,
        DeadLetterReply,
        DeadLetterRequest,
        DeadLetterView,
        OperatorCheck,
        OperatorCheckInput,
        ParkedFailure,
        Resolution,
        token_action,
    )
    from schemas.common.rollout import RerunRequest
    from vouchflow.runtime.search_attributes import DEAD_LETTER as DEAD_LETTER_ATTRIBUTE
    from workflows.common import decision_intake as intake
    from workflows.common.bounds import bounded_keyword, bounded_text
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.failures import failure_type, root_cause
    from workflows.common.limits import history_is_long
    from workflows.common.options import LocalActivityOptions, activity_options
    from workflows.common.trail import AuditTrail, count

# Patch id: runs started before the dead letter existed end `needs_attention` at once.
DEAD_LETTER = "dead-letter"
# How long a parked run waits for an operator: one timer, so the history stays short.
PARK_FOR = timedelta(days=30)
# Refused operator actions recorded one by one; the rest are counted (a summary record
# when the park ends), so a flood of refusals cannot push the history to its limit.
REFUSALS_AUDITED = 20
# Checking the operator list: local, fast; a refusal is an answer, not an error.
CHECK_OPERATOR: LocalActivityOptions = activity_options(
    timedelta(seconds=10), attempts=3, longest_retry=timedelta(seconds=2)
)


@dataclass
class Failure:
    """Why a run parks, as the workflow describes it."""

    kind: DeadLetterKind
    step: str
    reason: str
    resumable: bool = False
    error_type: str | None = None
    retry_state: str | None = None
    attempts: int | None = None
    retry_budget: int | None = None

    @classmethod
    def from_error(
        cls,
        err: BaseException,
        *,
        step: str,
        reason: str,
        retry_policy: RetryPolicy | None = None,
        resumable: bool = True,
    ) -> Failure:
        """An effect activity that failed for good: how its retries ended and, when the
        budget ran out, how many attempts it made."""
        state = err.retry_state if isinstance(err, ActivityError) else None
        budget = retry_policy.maximum_attempts if retry_policy is not None else None
        budget = budget or None  # 0 = unlimited
        exhausted = state is not None and state.name == "MAXIMUM_ATTEMPTS_REACHED"
        cause = root_cause(err)
        return cls(
            kind="effect_failed",
            step=step,
            reason=reason,
            resumable=resumable,
            error_type=failure_type(err) or type(cause).__name__,
            retry_state=state.name if state is not None else None,
            attempts=budget if exhausted else None,
            retry_budget=budget,
        )


@dataclass
class Outcome:
    """How a park ended: an operator's action (proven) or nobody acting in time."""

    action: Resolution
    actor: str = ""
    channel: str = ""
    proof: str = ""
    reason: str = ""
    # A re-run's token: the new run verifies it again before it reads anything.
    token: str = ""

    def final_reason(self, reason: str) -> str:
        """The run's last status reason when it ends after the park (close, expiry)."""
        if self.action == "close":
            return f"{reason} (closed by {self.actor}: {self.reason})"
        return f"{reason} ({self.reason})" if self.reason else reason


def needs_text(failure: Failure, workflow_id: str) -> str:
    """What a parked run needs, as the operator reads it."""
    fix = "fix the cause"
    if failure.resumable:
        return (
            f"{fix}, then `vouchflow failed rerun {workflow_id} --resume` (retries"
            f" {failure.step} with the same idempotency key) or `--from-start`; or"
            f" `vouchflow failed close {workflow_id} --reason ...`"
        )
    return (
        f"{fix}, then `vouchflow failed rerun {workflow_id} --from-start`; or"
        f" `vouchflow failed close {workflow_id} --reason ...`"
    )


class DeadLetter:
    def __init__(self, trail: AuditTrail, desk: DecisionDesk, *, status: Callable[[], str]) -> None:
        self._trail = trail
        self._desk = desk
        self._status = status
        self._parked: ParkedFailure | None = None
        self._outcome: Outcome | None = None
        self._times_parked = 0
        self._resolutions: list[str] = []
        self._refused = 0
        self._refused_audited = 0
        # FIFO: actions are admitted one at a time, in arrival order (the first wins).
        self._admission = asyncio.Lock()
        self._enabled: bool | None = None

    def enabled(self) -> bool:
        """Whether this run parks (decided once, where it first would)."""
        if self._enabled is None:
            self._enabled = workflow.patched(DEAD_LETTER)
        return self._enabled

    def view(self) -> DeadLetterView:
        return DeadLetterView(
            parked=self._parked, resolutions=list(self._resolutions), refused_actions=self._refused
        )

    # ---- parking -----------------------------------------------------------------------

    async def park(self, failure: Failure) -> Outcome:
        """Record the park, show it, and wait (bounded) for an operator."""
        workflow_id = workflow.info().workflow_id
        now = workflow.now()
        self._times_parked += 1
        self._outcome = None
        self._parked = ParkedFailure(
            kind=failure.kind,
            step=failure.step,
            reason=intake.one_line(failure.reason, 1000),
            error_type=failure.error_type,
            retry_state=failure.retry_state,
            attempts=failure.attempts,
            retry_budget=failure.retry_budget,
            resumable=failure.resumable,
            needs=needs_text(failure, workflow_id),
            parked_at=now,
            park_until=now + PARK_FOR,
            times_parked=self._times_parked,
        )
        parked = self._parked
        # Audit first (it also writes any pending record), then show it.
        await self._trail.record("dead_letter.parked", parked.model_dump(mode="json"))
        workflow.upsert_search_attributes(
            [DEAD_LETTER_ATTRIBUTE.value_set(bounded_keyword(failure.kind))]
        )
        workflow.set_current_details(
            bounded_text(
                f"Parked in the dead letter ({failure.kind}, step {failure.step}) until"
                f" {parked.park_until:%Y-%m-%d %H:%M} UTC: {parked.reason}\nNeeds: {parked.needs}"
            )
        )
        count("vouchflow_dead_letters", {"kind": failure.kind, "step": failure.step})
        outcome = await self._wait(parked)
        self._parked = None
        self._resolutions.append(outcome.action)
        workflow.upsert_search_attributes([DEAD_LETTER_ATTRIBUTE.value_unset()])
        count("vouchflow_dead_letters_resolved", {"action": outcome.action})
        await self._audit_suppressed()
        await self._trail.record(
            "dead_letter.resolved",
            {
                "action": outcome.action,
                "operator": outcome.actor or None,
                "channel": outcome.channel or None,
                "proof": outcome.proof or None,
                "reason": outcome.reason,
                "step": failure.step,
                "times_parked": parked.times_parked,
            },
        )
        return outcome

    async def _wait(self, parked: ParkedFailure) -> Outcome:
        while self._outcome is None:
            remaining = parked.park_until - workflow.now()
            if remaining <= timedelta(0):
                return Outcome(
                    action="expired",
                    reason=f"parked {PARK_FOR.days} days and nobody resumed, re-ran or closed it",
                )
            try:
                await workflow.wait_condition(
                    lambda: self._outcome is not None or history_is_long(), timeout=remaining
                )
            except TimeoutError:
                continue
            if self._outcome is None:
                # Only refused actions grow a parked run's history: end it rather than
                # let it reach Temporal's limit (it can still be re-run from the start).
                return Outcome(
                    action="expired",
                    reason=f"ended while parked: its history grew long ({self._refused}"
                    " refused operator actions)",
                )
        return self._outcome

    async def continue_as_rerun(
        self,
        outcome: Outcome,
        make_input: Callable[[RerunRequest], Any],
        *,
        prompt_version: str | None,
    ) -> NoReturn:
        """A re-run from the start: a new run under the same workflow id, carrying the
        operator's proof (verified again there, with the operator list, before it reads
        anything). Decisions still waiting are answered first."""
        await self._desk.drain("the run is re-run from the start")
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._desk.audit_suppressed()
        await self._trail.record("workflow.continuing", {"phase": "rerun", "by": outcome.actor})
        workflow.continue_as_new(
            make_input(
                RerunRequest(
                    token=outcome.token,
                    operator=outcome.actor,
                    # The version this run used (a dead-letter re-run keeps the label's).
                    prompt_version=prompt_version or "none",
                    reason=f"from the dead letter: {outcome.reason}".strip().rstrip(":"),
                )
            )
        )

    # ---- operators' actions -------------------------------------------------------------

    async def settle(
        self,
        failure: Failure,
        reason: str,
        make_input: Callable[[RerunRequest], Any],
        *,
        prompt_version: str | None,
    ) -> str | None:
        """Park until an operator (or the time limit) decides. None: resumed, the caller
        retries its step with the same request. A re-run continues as new and never
        returns. Otherwise the reason the run ends with (closed, expired)."""
        outcome = await self.park(failure)
        if outcome.action == "resume":
            return None
        if outcome.action == "rerun":
            await self.continue_as_rerun(outcome, make_input, prompt_version=prompt_version)
        return outcome.final_reason(reason)

    def validate(self, raw: Any) -> None:
        """The update's validator: nothing parked, nothing recorded; once refusals are only
        counted, obviously wrong requests are turned away before they reach history."""
        if self._parked is None or self._outcome is not None:
            raise ValueError(f"this run is not parked in the dead letter (status {self._status()})")
        if self._refused < REFUSALS_AUDITED:
            return
        if not isinstance(raw, dict) or raw.get("action") not in DEAD_LETTER_ACTIONS:
            raise ValueError("malformed dead-letter action (too many refused: not recorded)")
        problem = intake.precheck_token(
            str(raw.get("token", "")),
            workflow_id=workflow.info().workflow_id,
            action=token_action(str(raw["action"])),
        )
        if problem:
            raise ValueError(f"{problem} (too many refused actions: not recorded)")

    async def receive(self, raw: Any) -> DeadLetterReply:
        async with self._admission:
            return await self._admit(raw)

    async def _admit(self, raw: Any) -> DeadLetterReply:
        try:
            if not isinstance(raw, dict):
                raise ValueError("expected a JSON object")
            request = DeadLetterRequest.model_validate(raw)
        except ValidationError as err:
            return await self._refuse("malformed", "unknown", "", intake.validation_summary(err))
        except ValueError as err:
            return await self._refuse("malformed", "unknown", "", str(err))
        action = request.action
        verified = await self._desk.verify(
            token_action(action), request.token, intake.one_line(request.operator, 64)
        )
        if not verified.ok:
            return await self._refuse(action, request.operator or "unknown", "", verified.reason)
        proof = f"token:{verified.issuer}/{verified.token_id}"
        check = await workflow.execute_local_activity(
            "check_operator",
            OperatorCheckInput(person=verified.actor, workflow_id=workflow.info().workflow_id),
            result_type=OperatorCheck,
            **CHECK_OPERATOR,
        )
        if check.refusal:
            return await self._refuse(
                action, verified.actor, verified.channel, check.refusal, proof=proof
            )
        parked = self._parked
        if parked is None or self._outcome is not None:
            return await self._refuse(
                action, verified.actor, verified.channel, "the run is no longer parked", proof=proof
            )
        if action == "resume" and not parked.resumable:
            return await self._refuse(
                action,
                verified.actor,
                verified.channel,
                f"nothing to resume: {parked.step} cannot be retried on its own; re-run it"
                " from the start or close it",
                proof=proof,
            )
        if action == "close" and not request.reason.strip():
            return await self._refuse(
                action, verified.actor, verified.channel, "a close needs a reason", proof=proof
            )
        self._outcome = Outcome(
            action=action,
            actor=verified.actor,
            channel=verified.channel,
            proof=proof,
            reason=intake.one_line(request.reason),
            token=request.token if action == "rerun" else "",
        )
        return DeadLetterReply(
            action=action,
            accepted=True,
            actor=verified.actor,
            reason={
                "resume": f"resuming: {parked.step} is retried with the same idempotency key",
                "rerun": "re-running from the start",
                "close": "closing the run",
            }[action],
            status=self._status(),
        )

    async def _refuse(
        self, action: str, actor: str, channel: str, reason: str, *, proof: str = "unverified"
    ) -> DeadLetterReply:
        reason = intake.one_line(reason)
        actor = intake.one_line(actor, 64)
        self._refused += 1
        count("vouchflow_dead_letter_refusals", {"action": action})
        if self._refused <= REFUSALS_AUDITED:
            self._refused_audited = self._refused
            await self._trail.record(
                "dead_letter.refused",
                {
                    "action": action,
                    "actor": actor,
                    "channel": channel,
                    "proof": proof,
                    "reason": reason,
                },
            )
        return DeadLetterReply(
            action=action, accepted=False, actor=actor, reason=reason, status=self._status()
        )

    async def _audit_suppressed(self) -> None:
        if self._refused > self._refused_audited:
            await self._trail.record(
                "dead_letter.refusals_suppressed",
                {"count": self._refused - self._refused_audited, "total_refused": self._refused},
            )
            self._refused_audited = self._refused


class DeadLetterHandlers:
    """The `dead_letter` update (an operator resumes, re-runs or closes a parked run) and
    query, written once for every workflow that parks. The workflow sets `_dead_letter`."""

    _dead_letter: DeadLetter

    @workflow.update(name="dead_letter")
    async def dead_letter(self, raw: Any) -> DeadLetterReply:
        return await self._dead_letter.receive(raw)

    @dead_letter.validator
    def _validate_dead_letter(self, raw: Any) -> None:
        self._dead_letter.validate(raw)

    @workflow.query(name="dead_letter")
    def dead_letter_view(self) -> DeadLetterView:
        return self._dead_letter.view()
