"""The loop's bounds, driven without Temporal by an in-memory runner (the workflow drives
the same code with activities): iterations, wall clock, cost, silence, failures."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from schemas.reconciliation.agent import (
    AgentMessage,
    AgentStep,
    ModelTurnRequest,
    ModelTurnResult,
    ProposedMatch,
    ToolCall,
    Verification,
)
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.tools import ToolRequest, ToolResponse
from schemas.reconciliation.workflow import AgentSummary
from vouchflow.reconciliation.loop import AgentLoop, LoopEnd, StepFailed

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


class Runner:
    run_id = "run-1"

    def __init__(
        self,
        answer: Callable[[int], ModelTurnResult],
        *,
        turn_seconds: float = 1.0,
        tool_fails: bool = False,
    ) -> None:
        self._answer = answer
        self._clock = T0
        self._turn = dt.timedelta(seconds=turn_seconds)
        self._tool_fails = tool_fails
        self.turns = 0
        self.tools: list[ToolRequest] = []
        self.recorded: list[AgentStep] = []

    def now(self) -> dt.datetime:
        return self._clock

    async def model_turn(self, request: ModelTurnRequest) -> ModelTurnResult:
        self.turns += 1
        self._clock += self._turn
        return self._answer(self.turns)

    async def tool(self, request: ToolRequest) -> ToolResponse:
        self.tools.append(request)
        if self._tool_fails:
            raise StepFailed("the PO store is unreachable")
        return ToolResponse(
            name=request.name,
            content=json.dumps({"items": [{"po_number": f"PO-{len(self.tools)}"}]}),
            summary="1 purchase order(s) found",
            latency_ms=3,
        )

    async def verify(self, proposal: ProposedMatch) -> Verification:
        return Verification(verified=True, po_number=proposal.po_number, passed=["ok"])

    async def record(self, step: AgentStep) -> None:
        self.recorded.append(step)


def query(n: int, **usage: int) -> ModelTurnResult:
    """A different look-up each turn (never a repeat)."""
    args = {"supplier_name": f"Supplier {n}"}
    return ModelTurnResult(
        model="m",
        tool_calls=[ToolCall(id=f"c{n}", name="get_supplier_history", arguments=json.dumps(args))],
        **usage,
    )


async def run(runner: Runner, **policy: object) -> tuple[LoopEnd, AgentSummary]:
    summary = AgentSummary(provider="openai:m")
    loop = AgentLoop(
        runner,
        ReconciliationPolicy(agent="openai:m", **policy),
        system="s",
        messages=[AgentMessage(role="user", text="invoice")],
        steps=[],
        summary=summary,
    )
    return await loop.run(T0), summary


async def test_max_iterations_default_is_ten() -> None:
    runner = Runner(query)
    end, summary = await run(runner)
    assert end.stop_reason == "max_iterations" and runner.turns == 10
    assert summary.iterations == 10 and summary.tool_calls == 10
    assert end.seen_pos[:2] == ["PO-1", "PO-2"]
    assert [s.step for s in runner.recorded] == list(range(1, 21))


async def test_the_wall_clock_limit() -> None:
    runner = Runner(query, turn_seconds=50)
    end, _ = await run(runner, wall_clock_limit=dt.timedelta(minutes=2))
    assert end.stop_reason == "wall_clock" and runner.turns == 3


async def test_the_cost_budget() -> None:
    runner = Runner(lambda n: query(n).model_copy(update={"cost_micro_usd": 400}))
    end, summary = await run(runner, cost_budget_micro_usd=1_000)
    assert end.stop_reason == "cost_budget" and runner.turns == 3
    assert summary.cost_micro_usd == 1_200


async def test_a_model_that_will_not_use_tools_is_reminded_once_then_stopped() -> None:
    runner = Runner(lambda n: ModelTurnResult(model="m", text="I think it is PO-1"))
    end, _ = await run(runner)
    assert end.stop_reason == "no_action" and runner.turns == 2


async def test_failures_end_the_loop_as_failed() -> None:
    tool_down = Runner(query, tool_fails=True)
    end, _ = await run(tool_down)
    assert end.stop_reason == "tool_failed" and end.failed
    assert tool_down.recorded[-1].status == "error"

    class Down(Runner):
        async def model_turn(self, request: ModelTurnRequest) -> ModelTurnResult:
            raise StepFailed("openai: HTTP 401: invalid key")

    end, _ = await run(Down(query))
    assert end.stop_reason == "model_failed" and "401" in end.detail


async def test_the_output_allowance_shrinks_with_the_budget() -> None:
    seen: list[int] = []

    class Watching(Runner):
        async def model_turn(self, request: ModelTurnRequest) -> ModelTurnResult:
            seen.append(request.max_output_tokens)
            return await super().model_turn(request)

    await run(Watching(lambda n: query(n, input_tokens=600)), token_budget=2_000)
    assert seen == [1_024, 1_024, 800, 200]
