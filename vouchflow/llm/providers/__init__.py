"""One module per wire format; `complete_with` picks by provider kind."""

from __future__ import annotations

from pydantic import BaseModel

from vouchflow.llm.output import OUTPUT_SCHEMA_NAME, StrictInvoiceOutput
from vouchflow.llm.providers.anthropic_messages import complete_anthropic
from vouchflow.llm.providers.base import CallSettings, Completion, Conversation, Turn
from vouchflow.llm.providers.openai_chat import complete_openai_chat
from vouchflow.llm.providers.openai_responses import complete_openai_responses

LLM_KINDS = ("openai", "anthropic", "openai-compatible")


async def complete_with(
    kind: str,
    conversation: Conversation,
    call: CallSettings,
    *,
    output_model: type[BaseModel] = StrictInvoiceOutput,
    schema_name: str = OUTPUT_SCHEMA_NAME,
) -> Completion:
    """`output_model` is the strict schema the provider is asked to fill (the invoice
    extraction contract unless a caller such as llm/structured.py names another)."""
    if kind == "openai":
        return await complete_openai_responses(conversation, call, output_model=output_model)
    if kind == "anthropic":
        return await complete_anthropic(conversation, call, output_model=output_model)
    if kind == "openai-compatible":
        return await complete_openai_chat(
            conversation, call, output_model=output_model, schema_name=schema_name
        )
    raise ValueError(f"unknown model provider kind: {kind!r}")


__all__ = ["LLM_KINDS", "CallSettings", "Completion", "Conversation", "Turn", "complete_with"]
