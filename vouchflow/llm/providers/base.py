"""Provider-neutral request and answer shapes."""

from __future__ import annotations

from typing import Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["user", "assistant"]
    content: str


class Conversation(BaseModel):
    """System instructions plus alternating turns (a repair appends two)."""

    model_config = ConfigDict(extra="forbid")

    system: str
    turns: list[Turn]

    def char_count(self) -> int:
        return len(self.system) + sum(len(t.content) for t in self.turns)


class CallSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    max_output_tokens: int
    timeout_s: float
    temperature: float | None = None
    api_key: str | None = None
    base_url: str | None = None


class TokenCounts(TypedDict):
    """What an answer cost, as every provider module reports it (input includes cached)."""

    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cache_write_tokens: int


class Completion(BaseModel):
    """A model's raw answer and what it cost in tokens (input includes cached)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    model: str
    response_id: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    extra: dict[str, str] = Field(default_factory=dict)
