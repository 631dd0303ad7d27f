"""One module per wire format; `complete_with` picks by provider kind."""

from __future__ import annotations

from llm.providers.anthropic_messages import complete_anthropic
from llm.providers.base import CallSettings, Completion, Conversation, Turn
from llm.providers.openai_chat import complete_openai_chat
from llm.providers.openai_responses import complete_openai_responses

LLM_KINDS = ("openai", "anthropic", "openai-compatible")


async def complete_with(kind: str, conversation: Conversation, call: CallSettings) -> Completion:
    if kind == "openai":
        return await complete_openai_responses(conversation, call)
    if kind == "anthropic":
        return await complete_anthropic(conversation, call)
    if kind == "openai-compatible":
        return await complete_openai_chat(conversation, call)
    raise ValueError(f"unknown model provider kind: {kind!r}")


__all__ = ["LLM_KINDS", "CallSettings", "Completion", "Conversation", "Turn", "complete_with"]
