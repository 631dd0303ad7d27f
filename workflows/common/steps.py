"""What every workflow's steps share: setting up a run (its state, audit trail, decision
desk, dead letter and wait for a person), status publishing, notifications, the one way
a run ends, parking in the dead letter, a proven re-run's start, and the guard that lets
no input wedge a run.

A workflow's state machine is a class made of step mixins (intake, review, effects...);
each inherits the workflow's own steps base, which inherits `WorkflowSteps` and says only
what differs: its views module (search attributes, details, notification text), when it
takes decisions (`_gate`), its needs-attention titles and a re-run's input.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar, cast

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.workflow import NondeterminismError, ReadOnlyContextError

with workflow.unsafe.imports_passed_through():
    from schemas.common.effects import Notification, NotificationKind, NotificationReceipt
    from schemas.common.rollout import RerunInfo, RerunRequest
    from workflows.common.dead_letter import DeadLetter, Failure
    from workflows.common.decision_desk import (
        DEFAULT_REFUSALS_AUDITED,
        Accept,
        DecisionDesk,
        Decisions,
        DeskState,
        NotifyRefusal,
    )
    from workflows.common.decision_intake import one_line
    from workflows.common.ending import close_run
    from workflows.common.failures import failure_message
    from workflows.common.limits import publish
    from workflows.common.notify import send_notification
    from workflows.common.options import LocalActivityOptions
    from workflows.common.rollout import begin_rerun
    from workflows.common.trail import AuditTrail, TrailState
    from workflows.common.waiting import PersonWait


class StepState(DeskState, TrailState, Protocol):
    """The part of a workflow's state its shared steps read and write."""

    status: Any  # the workflow's own status literal
    status_reason: str
    notification_ref: str | None
    rerun: RerunInfo | None

    @property
    def prompt_version(self) -> str | None: ...
    @property
    def effect_suffix(self) -> str: ...


class Carried(Protocol):
    """What a run continued as new carries over besides its state (its Resume)."""

    @property
    def review_started_at(self) -> datetime | None: ...
    @property
    def timers_fired(self) -> int: ...
    @property
    def notify_count(self) -> int: ...


StateT = TypeVar("StateT", bound=StepState)
ShownT = TypeVar("ShownT", contravariant=True)
PolicyT = TypeVar("PolicyT")
StatusT = TypeVar("StatusT", bound=str)


class Views(Protocol[ShownT]):
    """How a workflow presents its state (its `views` module): pure functions."""

    def search_attribute_updates(self, state: ShownT) -> list[SearchAttributeUpdate[Any]]: ...
    def current_details(self, state: ShownT) -> str: ...
    def summary_lines(self, state: ShownT) -> list[str]: ...
    def notification_facts(self, state: ShownT) -> dict[str, str]: ...


class WorkflowSteps(Generic[StateT, PolicyT, StatusT]):
    """Attributes and helpers every step mixin of a workflow relies on."""

    _state: StateT
    _policy_snapshot: PolicyT | None
    _trail: AuditTrail
    _desk: DecisionDesk
    _dead_letter: DeadLetter
    _waiting: PersonWait
    _notify_count: int
    _views: Views[StateT]
    # The buttons a request for a decision offers.
    _decisions: ClassVar[Literal["approve_reject", "confirm_correct"]] = "approve_reject"
    # Whether the notice of a run's end updates the message people were asked in.
    _endings_update: ClassVar[bool] = True

    def _begin_run(
        self,
        state: StateT,
        policy: PolicyT | None,
        decisions: Decisions,
        *,
        refusals_audited: Callable[[PolicyT], int],
        carried: Carried | None = None,
        accept: Accept | None = None,
        notify_refusal: NotifyRefusal | None = None,
    ) -> None:
        """What a run holds, set up from `@workflow.init`: its state and policy snapshot
        (new, or carried over by continue-as-new), its audit trail, the desk its decisions
        arrive at, its dead letter and its wait for a person."""
        self._state = state
        self._policy_snapshot = policy
        self._trail = AuditTrail(state)
        self._desk = DecisionDesk(
            state,
            self._trail,
            decisions,
            gate=self._gate,
            accept=accept,
            refusals_audited=lambda: (
                refusals_audited(self._policy_snapshot)
                if self._policy_snapshot
                else DEFAULT_REFUSALS_AUDITED
            ),
            notify_refusal=notify_refusal,
        )
        self._dead_letter = DeadLetter(self._trail, self._desk, status=lambda: self._state.status)
        self._waiting = PersonWait(
            self._desk,
            self._trail,
            started=carried.review_started_at if carried is not None else None,
            fired=carried.timers_fired if carried is not None else 0,
        )
        self._notify_count = carried.notify_count if carried is not None else 0

    # ---- what the workflow says about itself ---------------------------------------------

    def _gate(self, kind: str) -> str | None:
        """Why the workflow cannot take this kind of decision now (None: it can)."""
        raise NotImplementedError

    def _needs_attention_titles(self) -> tuple[str, str]:
        """The notice's title when the run parks, and when it ends needing attention."""
        raise NotImplementedError

    def _rerun_input(self, rerun: RerunRequest) -> Any:
        """The workflow input of a re-run from the start (continue-as-new)."""
        raise NotImplementedError

    def _unexpected(self, err: Exception) -> str:
        """An unexpected error as the run's reason shows it."""
        return one_line(failure_message(err))

    def _web_url(self) -> str | None:
        """Where a notification links to (None: nowhere)."""
        return None

    # ---- policy and status -------------------------------------------------------------

    @property
    def _policy(self) -> PolicyT:
        assert self._policy_snapshot is not None, "policy is loaded first"
        return self._policy_snapshot

    @property
    def _needs_attention(self) -> StatusT:
        # Every workflow's statuses include it.
        return cast(StatusT, "needs_attention")

    def _set_status(self, status: StatusT, reason: str) -> None:
        self._state.status = status
        self._state.status_reason = reason
        self._publish()

    def _publish(self) -> None:
        publish(
            self._views.search_attribute_updates(self._state),
            self._views.current_details(self._state),
        )

    # ---- notifications -----------------------------------------------------------------

    async def _notify(
        self,
        kind: NotificationKind,
        title: str,
        lines: list[str] | None = None,
        *,
        update: bool = False,
        channels: list[str] | None = None,
        with_buttons: bool = False,
    ) -> NotificationReceipt | None:
        """Notifications never stop the workflow: a failure is recorded and audited.
        `lines`: the summary unless given; `update`: replace the message people were
        asked in (Slack) instead of sending another."""
        self._notify_count += 1
        receipt = await send_notification(
            self._trail,
            Notification(
                workflow_id=self._state.workflow_id,
                kind=kind,
                idempotency_key=(
                    f"{self._state.workflow_id}{self._state.effect_suffix}"
                    f":notify:{self._notify_count}:{kind}"
                ),
                title=title,
                lines=self._views.summary_lines(self._state) if lines is None else lines,
                update_ref=self._state.notification_ref if update else None,
                channels=channels or [],
                with_buttons=with_buttons,
                decisions=self._decisions,
                facts=self._views.notification_facts(self._state),
                web_url=self._web_url(),
            ),
        )
        self._remember_message(kind, receipt)
        return receipt

    def _remember_message(
        self, kind: NotificationKind, receipt: NotificationReceipt | None
    ) -> None:
        """Which message later notices update: the first one sent."""
        if receipt is not None and self._state.notification_ref is None:
            self._state.notification_ref = receipt.ref

    # ---- endings -----------------------------------------------------------------------

    async def _end(
        self,
        status: StatusT,
        reason: str,
        *,
        audit: tuple[str, dict[str, Any]] | None = None,
        notice: tuple[NotificationKind, str] | None = None,
        update: bool | None = None,
    ) -> None:
        """The one way a run reaches its final status: status, its audit record, then the
        people who need to know (each optional, always in this order)."""
        self._set_status(status, reason)
        if audit is not None:
            await self._trail.record(*audit)
        if notice is not None:
            await self._notify(
                notice[0], notice[1], update=self._endings_update if update is None else update
            )

    async def _end_needs_attention(
        self, reason: str, *, failure: Failure | None = None, park: bool = True
    ) -> bool:
        """Park in the dead letter for an operator (workflows.common.dead_letter), then end
        `needs_attention` unless they resumed it. True: resumed, the caller retries its
        step (same request, same idempotency key). A re-run continues as new from here.
        Runs from before the dead letter (workflow.patched) end at once, as they did.
        `park=False`: an answer to an operator's own action, which ends at once."""
        parked, ended = self._needs_attention_titles()
        if park and self._dead_letter.enabled():
            failure = failure or Failure(
                kind="needs_attention", step=self._state.status, reason=reason
            )
            self._set_status(self._needs_attention, reason)
            await self._notify("flagged", parked)
            final = await self._dead_letter.settle(
                failure, reason, self._rerun_input, prompt_version=self._state.prompt_version
            )
            if final is None:
                return True  # resumed
            reason = final
        await self._end(
            self._needs_attention,
            reason,
            audit=("workflow.needs_attention", {"reason": reason}),
            notice=("flagged", ended),
        )
        return False

    async def _park_failed(
        self,
        err: BaseException,
        *,
        step: str,
        reason: str,
        options: LocalActivityOptions,
        resumable: bool = True,
    ) -> bool:
        """A step whose activity failed for good (retried as `options` say) parks with
        how its retries ended (see _end_needs_attention). True: an operator resumed it,
        the caller retries the step."""
        failure = Failure.from_error(
            err,
            step=step,
            reason=reason,
            retry_policy=options["retry_policy"],
            resumable=resumable,
        )
        return await self._end_needs_attention(reason, failure=failure)

    async def _start_rerun(self, rerun: RerunRequest) -> bool:
        """An operator's re-run: proven and allowed, or refused (audited) before anything
        is read or done."""
        started = await begin_rerun(self._desk, self._trail, rerun)
        if isinstance(started, str):
            await self._end(
                self._needs_attention,
                f"re-run refused: {started}",
                audit=("rerun.refused", {"operator": rerun.operator, "reason": started}),
            )
            return False
        self._state.rerun = started
        return True

    async def _guarded(self, steps: Awaitable[None]) -> None:
        """Run the state machine. No input may wedge a workflow: an unexpected failure
        ends it (after the dead letter), with its reason."""
        try:
            await steps
        except (NondeterminismError, ReadOnlyContextError):
            raise
        except Exception as err:
            reason = f"the workflow stopped on an unexpected error: {self._unexpected(err)}"
            await self._end_needs_attention(
                reason, failure=Failure(kind="unexpected_error", step="workflow", reason=reason)
            )

    async def _close(self) -> None:
        """The run's last steps: no decision is taken any more; the ones still waiting are
        answered, handlers finish, and the end is recorded."""
        self._waiting.open = False
        await close_run(self._desk, self._trail, self._state.status, self._state.status_reason)
