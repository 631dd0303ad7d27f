"""The bounded agent loop, independent of where it runs.

The workflow drives it with activities (one per model turn, one per tool call), so each
finished step is in the history and a crash resumes after it; the benchmark drives the
same code with direct calls. Nothing here does I/O or reads a clock: the runner does.

Bounds, each ending the loop as `escalated` with the reason and what was found:
iterations (model turns), the same call with the same arguments twice, a token budget
and an optional cost budget kept in the loop's own state, and a wall-clock limit. The
model finishes by proposing a match, which code verifies, or by escalating; a model
call that fails for good ends the loop as `failed`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from schemas.reconciliation.agent import (
    AgentMessage,
    AgentStep,
    ModelTurnRequest,
    ModelTurnResult,
    ProposedMatch,
    StepStatus,
    StepType,
    StopReason,
    ToolOutput,
    Verification,
)
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.tools import ToolRequest, ToolResponse
from schemas.reconciliation.workflow import AgentSummary
from vouchflow.reconciliation.tools import (
    ESCALATE,
    FINISH_TOOLS,
    PROPOSE,
    READ_TOOLS,
    RejectedCall,
    ValidCall,
    validate_call,
)

# What the audit trail keeps of a step's input and output (the whole is in the history).
INPUT_PREVIEW_CHARS = 500
SUMMARY_CHARS = 300
NO_ACTION_REMINDER = "Answer with a tool call: look something up, propose_match, or escalate."


class StepFailed(Exception):
    """A model turn or tool call that failed for good (after the runner's retries)."""


class Runner(Protocol):
    run_id: str

    def now(self) -> dt.datetime: ...

    async def model_turn(self, request: ModelTurnRequest) -> ModelTurnResult: ...

    async def tool(self, request: ToolRequest) -> ToolResponse: ...

    async def verify(self, proposal: ProposedMatch) -> Verification: ...

    async def record(self, step: AgentStep) -> None: ...


@dataclass
class LoopEnd:
    stop_reason: StopReason
    detail: str
    proposal: ProposedMatch | None = None
    verification: Verification | None = None
    # PO numbers the tools returned: what the loop found, for the person who takes over.
    seen_pos: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.stop_reason in ("model_failed", "tool_failed")

    @property
    def matched(self) -> bool:
        return self.stop_reason == "proposal_verified"


def _preview(value: Any) -> dict[str, Any]:
    text = json.dumps(value, default=str, ensure_ascii=False)
    if len(text) <= INPUT_PREVIEW_CHARS:
        parsed: dict[str, Any] = json.loads(text) if isinstance(value, dict) else {"value": value}
        return parsed
    return {"truncated": text[:INPUT_PREVIEW_CHARS] + "…"}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _po_numbers(content: str) -> list[str]:
    """PO numbers in a tool's JSON result (for 'what it found')."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "po_number" and isinstance(value, str) and value not in found:
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    with contextlib.suppress(json.JSONDecodeError, RecursionError):
        walk(json.loads(content))
    return found


class AgentLoop:
    def __init__(
        self,
        runner: Runner,
        policy: ReconciliationPolicy,
        *,
        system: str,
        messages: list[AgentMessage],
        steps: list[AgentStep],
        summary: AgentSummary,
    ) -> None:
        """`messages`, `steps` and `summary` are the caller's own (workflow state): the
        loop appends to them as it goes, so a query shows the loop live."""
        self._runner = runner
        self._policy = policy
        self._system = system
        self.messages = messages
        self.steps = steps
        self.summary = summary
        self._signatures: set[str] = set()
        self._seen_pos: list[str] = []

    async def _step(
        self,
        type_: StepType,
        status: StepStatus,
        output_summary: str,
        *,
        tool: str | None = None,
        input_: dict[str, Any] | None = None,
        latency_ms: int = 0,
        tokens: int = 0,
    ) -> None:
        step = AgentStep(
            run_id=self._runner.run_id,
            step=len(self.steps) + 1,
            type=type_,
            tool=tool,
            input=input_ or {},
            output_summary=_short(output_summary),
            latency_ms=latency_ms,
            tokens=tokens,
            status=status,
        )
        self.steps.append(step)
        await self._runner.record(step)

    def _end(self, reason: StopReason, detail: str, **kwargs: Any) -> LoopEnd:
        self.summary.stop_reason = reason
        self.summary.detail = _short(detail)
        return LoopEnd(reason, detail, seen_pos=list(self._seen_pos), **kwargs)

    def _over_budget(self) -> LoopEnd | None:
        if self.summary.tokens >= self._policy.token_budget:
            return self._end(
                "token_budget",
                f"token budget spent: {self.summary.tokens} of {self._policy.token_budget}",
            )
        cap = self._policy.cost_budget_micro_usd
        if cap and self.summary.cost_micro_usd >= cap:
            return self._end(
                "cost_budget",
                f"cost budget spent: {self.summary.cost_micro_usd} of {cap} micro-USD",
            )
        return None

    async def run(self, started: dt.datetime) -> LoopEnd:
        reminded = False
        while True:
            if self.summary.iterations >= self._policy.max_iterations:
                return self._end(
                    "max_iterations",
                    f"no answer after {self.summary.iterations} model turns (the limit)",
                )
            elapsed = self._runner.now() - started
            if elapsed >= self._policy.wall_clock_limit:
                return self._end(
                    "wall_clock",
                    f"wall-clock limit reached after {int(elapsed.total_seconds())} s",
                )
            if (over := self._over_budget()) is not None:
                return over
            self.summary.iterations += 1
            answer = await self._model_turn()
            if isinstance(answer, LoopEnd):
                return answer
            if (over := self._over_budget()) is not None:
                return over
            if not answer.tool_calls:
                if reminded:
                    return self._end("no_action", "the model answered twice without a tool call")
                reminded = True
                self.messages.append(AgentMessage(role="user", text=NO_ACTION_REMINDER))
                continue
            for call in answer.tool_calls:
                end = await self._tool_call(validate_call(call))
                if end is not None:
                    return end

    async def _model_turn(self) -> ModelTurnResult | LoopEnd:
        remaining = self._policy.token_budget - self.summary.tokens
        request = ModelTurnRequest(
            provider=self._policy.agent,
            prompt_version=self._policy.prompt_version,
            system=self._system,
            messages=list(self.messages),
            max_output_tokens=max(16, min(self._policy.max_output_tokens, remaining)),
            timeout_s=self._policy.model_timeout.total_seconds(),
            step=len(self.steps) + 1,
        )
        try:
            answer = await self._runner.model_turn(request)
        except StepFailed as err:
            await self._step(
                "model_turn",
                "error",
                str(err),
                input_={"iteration": self.summary.iterations, "messages": len(self.messages)},
            )
            return self._end("model_failed", f"the model call failed: {err}")
        self.summary.model_turns += 1
        self.summary.input_tokens += answer.input_tokens
        self.summary.output_tokens += answer.output_tokens
        self.summary.cost_micro_usd += answer.cost_micro_usd
        self.messages.append(
            AgentMessage(role="assistant", text=answer.text, tool_calls=answer.tool_calls)
        )
        said = (
            f"{len(answer.tool_calls)} tool call(s): "
            + ", ".join(c.name[:60] for c in answer.tool_calls)
            if answer.tool_calls
            else f"no tool call; text: {answer.text[:200]!r}"
        )
        await self._step(
            "model_turn",
            "ok",
            said,
            input_={
                "iteration": self.summary.iterations,
                "messages": len(request.messages),
                "model": answer.model,
                "prompt_version": request.prompt_version,
            },
            latency_ms=answer.latency_ms,
            tokens=answer.tokens,
        )
        return answer

    def _reply(self, call_id: str, name: str, content: str, *, error: bool) -> None:
        self.messages.append(
            AgentMessage(
                role="tool",
                tool_output=ToolOutput(call_id=call_id, name=name, content=content, is_error=error),
            )
        )

    async def _tool_call(self, checked: ValidCall | RejectedCall) -> LoopEnd | None:
        call = checked.call
        shown_input = (
            checked.arguments if isinstance(checked, ValidCall) else {"raw": call.arguments}
        )
        if checked.signature in self._signatures:
            await self._step(
                "tool_call",
                "repeated",
                "the same call with the same arguments was already made",
                tool=call.name[:80],
                input_=_preview(shown_input),
            )
            return self._end(
                "repeated_call",
                f"the model repeated {call.name[:80]} with the same arguments",
            )
        self._signatures.add(checked.signature)
        if isinstance(checked, RejectedCall):
            # Refused before anything runs; the model is told why and may try again.
            await self._step(
                "tool_call",
                "rejected",
                checked.error,
                tool=call.name[:80],
                input_=_preview(shown_input),
            )
            self._reply(call.id, call.name, f"ERROR: {checked.error}", error=True)
            return None
        name = checked.spec.name
        if name == PROPOSE:
            proposal = ProposedMatch.model_validate(checked.arguments)
            verification = await self._runner.verify(proposal)
            await self._step(
                "tool_call",
                "proposal",
                ("verified by code: " + "; ".join(verification.passed))
                if verification.verified
                else "rejected by code: " + "; ".join(verification.problems),
                tool=name,
                input_=_preview(checked.arguments),
            )
            self._reply(
                call.id,
                name,
                "verified" if verification.verified else "rejected",
                error=not verification.verified,
            )
            if verification.verified:
                return self._end(
                    "proposal_verified",
                    f"PO {verification.po_number} proposed and verified",
                    proposal=proposal,
                    verification=verification,
                )
            return self._end(
                "proposal_rejected",
                f"the model proposed PO {proposal.po_number}; code rejected it: "
                + "; ".join(verification.problems),
                proposal=proposal,
                verification=verification,
            )
        if name == ESCALATE:
            reason = str(checked.arguments.get("reason", ""))
            await self._step(
                "tool_call", "escalate", reason, tool=name, input_=_preview(checked.arguments)
            )
            return self._end("model_escalated", f"the model escalated: {reason}")
        try:
            response = await self._runner.tool(
                ToolRequest(
                    name=name,
                    arguments=checked.arguments,
                    max_results=self._policy.max_tool_results,
                )
            )
        except StepFailed as err:
            await self._step(
                "tool_call", "error", str(err), tool=name, input_=_preview(checked.arguments)
            )
            return self._end("tool_failed", f"the tool {name} failed: {err}")
        self.summary.tool_calls += 1
        for po in _po_numbers(response.content):
            if po not in self._seen_pos:
                self._seen_pos.append(po)
        await self._step(
            "tool_call",
            "ok",
            response.summary,
            tool=name,
            input_=_preview(checked.arguments),
            latency_ms=response.latency_ms,
        )
        self._reply(call.id, name, response.content, error=False)
        return None


def tool_specs() -> list[Any]:
    return [*READ_TOOLS, *FINISH_TOOLS]
