"""What a provider module receives and returns for one agent turn (provider-neutral)."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.reconciliation.agent import AgentMessage, ToolCall
from vouchflow.llm.providers.base import CallSettings
from vouchflow.reconciliation.tools import ToolSpec


@dataclass
class TurnRequest:
    system: str
    messages: list[AgentMessage]
    tools: list[ToolSpec]
    call: CallSettings


@dataclass
class TurnAnswer:
    model: str
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    response_id: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
