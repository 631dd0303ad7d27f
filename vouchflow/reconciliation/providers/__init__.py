"""Native tool calling per provider: one module per wire format, `take_turn` picks."""

from __future__ import annotations

from vouchflow.reconciliation.providers.anthropic_tools import turn_anthropic
from vouchflow.reconciliation.providers.base import TurnAnswer, TurnRequest
from vouchflow.reconciliation.providers.openai_chat import turn_openai_chat
from vouchflow.reconciliation.providers.openai_responses import turn_openai_responses


async def take_turn(kind: str, request: TurnRequest) -> TurnAnswer:
    if kind == "openai":
        return await turn_openai_responses(request)
    if kind == "anthropic":
        return await turn_anthropic(request)
    if kind == "openai-compatible":
        return await turn_openai_chat(request)
    raise ValueError(f"unknown model provider kind: {kind!r}")


__all__ = ["TurnAnswer", "TurnRequest", "take_turn"]
