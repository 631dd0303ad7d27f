"""Dead-letter activities: may this proven person act on parked runs? Thin: the rule
(the `[rollout] operators` list, else the approvers allowed to override) is in
vouchflow.rollout.config, read from the worker's configuration on every call so a
person removed from the list stops at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import activity

from activities.common.deps import ActivityDeps
from schemas.common.dead_letter import OperatorCheck, OperatorCheckInput
from vouchflow.rollout.config import operator_refusal


class DeadLetterActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    def all(self) -> list[Callable[..., Any]]:
        return [self.check_operator]

    @activity.defn(name="check_operator")
    def check_operator(self, request: OperatorCheckInput) -> OperatorCheck:
        """Never raises for a refusal: it is an answer, not a failure to retry."""
        return OperatorCheck(refusal=operator_refusal(self._deps.settings, request.person))
