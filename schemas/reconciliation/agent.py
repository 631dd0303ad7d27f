"""The agent loop's contracts: a provider-neutral transcript, one model turn, one step of
the audit trail, a proposal and its verification."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ToolCall(BaseModel):
    """A tool call as the model made it: arguments are the raw JSON text it sent."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    arguments: str


class ToolOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str
    name: str
    content: str
    is_error: bool = False


class AgentMessage(BaseModel):
    """One message of the conversation: user text, the assistant's text and tool calls,
    or a tool's output. Each provider module turns these into its native format."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant", "tool"]
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_output: ToolOutput | None = None


class ModelTurnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str
    prompt_version: int
    system: str
    messages: list[AgentMessage]
    max_output_tokens: int
    timeout_s: float
    step: int


class ModelTurnResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    model: str
    response_id: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_micro_usd: int = 0
    latency_ms: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


StepType = Literal["model_turn", "tool_call"]
StepStatus = Literal["ok", "error", "rejected", "repeated", "proposal", "escalate"]


class AgentStep(BaseModel):
    """One step of the loop, in the one shape every step is traced and audited in."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    step: int
    type: StepType
    tool: str | None = None
    input: dict[str, Any] = Field(default_factory=dict)
    output_summary: str
    latency_ms: int = 0
    tokens: int = 0
    status: StepStatus


class ProposedMatch(BaseModel):
    """What the model may do: propose. Code verifies before it counts."""

    model_config = ConfigDict(extra="forbid")

    po_number: str
    line_numbers: list[int]
    explanation: str


class Verification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verified: bool
    po_number: str
    # Each check that failed, in words (empty when verified).
    problems: list[str] = Field(default_factory=list)
    # Each check that passed, in words.
    passed: list[str] = Field(default_factory=list)


StopReason = Literal[
    "proposal_verified",
    "proposal_rejected",
    "model_escalated",
    "max_iterations",
    "repeated_call",
    "token_budget",
    "cost_budget",
    "wall_clock",
    "no_action",
    "model_failed",
    "tool_failed",
]
