"""The dead letter: a run whose effect kept failing past its retry budget, or that would
end `needs_attention`, parks with the failure, the attempts and what it needs, until an
authorized operator resumes it, re-runs it from the start, or closes it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Why a run parked (the `VouchflowDeadLetter` search attribute's value):
#   effect_failed     - an effect (draft bill, Jira issue, store write...) failed for good:
#                       its retry budget ran out or the remote side refused it
#   needs_attention   - the run could not go on without a person (nothing read it,
#                       a check could not run, ...)
#   unexpected_error  - the workflow itself stopped on an error nobody planned for
DeadLetterKind = Literal["effect_failed", "needs_attention", "unexpected_error"]
DEAD_LETTER_KINDS: tuple[str, ...] = DeadLetterKind.__args__  # type: ignore[attr-defined]

# What an operator may do with a parked run:
#   resume - retry the failed step, with the same idempotency key (exactly once)
#   rerun  - start again from the beginning, as a re-run (its own effect keys)
#   close  - give up: the run ends `needs_attention` with the operator's reason
DeadLetterAction = Literal["resume", "rerun", "close"]
DEAD_LETTER_ACTIONS: tuple[str, ...] = DeadLetterAction.__args__  # type: ignore[attr-defined]

# How a park ended: an operator's action, or nobody acted in time.
Resolution = Literal["resume", "rerun", "close", "expired"]

# The token action each operator action needs: re-runs carry a `rerun` token (the
# worker's re-run path checks it again); resume and close an `operate` token.
TOKEN_ACTION: dict[str, str] = {"resume": "operate", "close": "operate", "rerun": "rerun"}


def token_action(action: str) -> str:
    return TOKEN_ACTION.get(action, "operate")


class ParkedFailure(BaseModel):
    """What a parked run shows and records (`dead_letter.parked`)."""

    model_config = ConfigDict(extra="forbid")

    kind: DeadLetterKind
    # The step that failed: an effect name (`post_draft_bill`) or a phase (`intake`).
    step: str
    reason: str
    # The failing activity's error type and how its retries ended, when it was one.
    error_type: str | None = None
    retry_state: str | None = None
    # Attempts the last execution made (known when the budget ran out) and the budget.
    attempts: int | None = None
    retry_budget: int | None = None
    # Whether `resume` can retry the step (an effect keyed for exactly once).
    resumable: bool = False
    needs: str = ""
    parked_at: dt.datetime
    park_until: dt.datetime
    # How many times this run has parked (each resume that fails again adds one).
    times_parked: int = Field(default=1, ge=1)


class DeadLetterRequest(BaseModel):
    """The `dead_letter` update: an operator's action on a parked run, with proof.

    The token proves the operator (action `operate` for resume/close, `rerun` for a
    re-run, bound to this workflow id); the typed name is informational only."""

    model_config = ConfigDict(extra="forbid")

    action: DeadLetterAction
    token: str = Field(max_length=4096)
    operator: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=500)
    channel: str = Field(default="cli", max_length=32)


class DeadLetterReply(BaseModel):
    """The workflow's answer to an operator's action."""

    model_config = ConfigDict(extra="forbid")

    action: str
    accepted: bool
    actor: str = ""
    reason: str = ""
    status: str = ""


class OperatorCheckInput(BaseModel):
    """Input of `check_operator`: may this proven person act on parked runs?"""

    model_config = ConfigDict(extra="forbid")

    person: str
    workflow_id: str


class OperatorCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # None: they may; else why not (from the worker's configuration, read now).
    refusal: str | None = None


class DeadLetterView(BaseModel):
    """The `dead_letter` query: the run's park, if it is parked, and its history."""

    model_config = ConfigDict(extra="forbid")

    parked: ParkedFailure | None = None
    resolutions: list[str] = Field(default_factory=list)
    refused_actions: int = 0
