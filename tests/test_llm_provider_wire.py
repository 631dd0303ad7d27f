"""Every provider call, structured output (llm/providers) and tool calling
(reconciliation/providers) alike, against the fake OpenAI and Anthropic servers with the
real SDKs: token counts normalised the same way (input includes cached), and a refusal,
an answer cut off at max_output_tokens or a wrong key fail without retries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict

from schemas.reconciliation.agent import AgentMessage
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.llm.providers import CallSettings, Conversation, Turn, complete_with
from vouchflow.reconciliation.providers import TurnRequest, take_turn
from vouchflow.reconciliation.tools import READ_TOOLS
from vouchflow.testing.fakes.fake_anthropic import FakeAnthropic
from vouchflow.testing.fakes.fake_openai import FakeOpenAI, Reply, ScriptedCall

KINDS = ("openai", "anthropic", "openai-compatible")
MAX_OUT = 64
Mode = Literal["structured", "tools"]
Call = Callable[[], Awaitable[Any]]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


@pytest.fixture(scope="module")
def fake_anthropic() -> Iterator[FakeAnthropic]:
    with FakeAnthropic.start() as fake:
        yield fake


class Wire:
    """One provider kind in one mode, on its fake, with a scripted next answer."""

    def __init__(self, kind: str, mode: Mode, fake: FakeOpenAI | FakeAnthropic) -> None:
        self.kind, self.mode, self.fake = kind, mode, fake

    def call(self, *, api_key: str | None = None) -> Call:
        settings = CallSettings(
            model="m-1",
            max_output_tokens=MAX_OUT,
            timeout_s=10,
            temperature=None if self.kind == "anthropic" else 0.0,
            api_key=api_key or self.fake.api_key,
            base_url=self.fake.base_url,
        )
        if self.mode == "structured":
            conversation = Conversation(system="answer", turns=[Turn(role="user", content="hi")])
            return lambda: complete_with(
                self.kind, conversation, settings, output_model=Answer, schema_name="answer"
            )
        request = TurnRequest(
            system="reconcile",
            messages=[AgentMessage(role="user", text="find the PO")],
            tools=list(READ_TOOLS[:1]),
            call=settings,
        )
        return lambda: take_turn(self.kind, request)


@pytest.fixture(params=[(k, m) for k in KINDS for m in ("structured", "tools")], ids=str)
def wire(
    request: pytest.FixtureRequest, fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic
) -> Wire:
    kind, mode = request.param
    return Wire(kind, mode, fake_anthropic if kind == "anthropic" else fake_openai)


async def test_an_answer_reports_its_tokens_with_cached_input_counted_as_input(wire: Wire) -> None:
    if wire.mode == "structured":
        reply = Reply.json({"word": "ok"}, input_tokens=120, output_tokens=30, cached_tokens=20)
    else:
        call = ScriptedCall("query_purchase_orders", {"supplier_name": "Acme"})
        reply = Reply.tools(call, input_tokens=120, output_tokens=30, cached_tokens=20)
    wire.fake.script(reply)
    answer = await wire.call()()
    assert (answer.input_tokens, answer.output_tokens, answer.cached_tokens) == (120, 30, 20)
    assert answer.cache_write_tokens == 0
    assert answer.model == "m-1" and answer.response_id
    if wire.mode == "structured":
        assert Answer.model_validate_json(answer.text).word == "ok"
    else:
        assert [c.name for c in answer.tool_calls] == ["query_purchase_orders"]
        assert "Acme" in answer.tool_calls[0].arguments


async def test_a_refusal_fails_without_retries(wire: Wire) -> None:
    wire.fake.script(Reply.refusal("not this one"))
    with pytest.raises(ExtractionError) as info:
        await wire.call()()
    assert not info.value.retryable
    assert str(info.value).startswith(f"{wire.kind}: the model refused")
    if wire.kind != "anthropic":  # Anthropic's fake states no explanation
        assert "not this one" in str(info.value)


async def test_an_answer_cut_off_fails_without_retries(wire: Wire) -> None:
    wire.fake.script(Reply.cut_off())
    with pytest.raises(ExtractionError) as info:
        await wire.call()()
    assert not info.value.retryable
    assert f"max_output_tokens={MAX_OUT}" in str(info.value)


async def test_a_wrong_key_fails_without_retries(wire: Wire) -> None:
    wire.fake.script(Reply.json({"word": "never sent"}))
    with pytest.raises(ExtractionError) as info:
        await wire.call(api_key="wrong-key")()
    assert not info.value.retryable
    assert "HTTP 401" in str(info.value) and "check the API key" in str(info.value)
    assert wire.fake.remaining() == 1  # refused before any answer was spent


@pytest.mark.parametrize("mode", ["structured", "tools"])
async def test_an_openai_compatible_server_is_called_without_a_key(mode: Mode) -> None:
    # Local servers ignore the key, but the SDK insists on one: a placeholder is sent.
    with FakeOpenAI.start(api_key="not-needed") as local:
        wire = Wire("openai-compatible", mode, local)
        call = CallSettings(
            model="m-1", max_output_tokens=MAX_OUT, timeout_s=10, base_url=local.base_url
        )
        if mode == "structured":
            local.script(Reply.json({"word": "ok"}))
            conversation = Conversation(system="answer", turns=[Turn(role="user", content="hi")])
            answer: Any = await complete_with(
                wire.kind, conversation, call, output_model=Answer, schema_name="answer"
            )
        else:
            local.script(Reply.tools(ScriptedCall("query_purchase_orders", {})))
            answer = await take_turn(
                wire.kind,
                TurnRequest(
                    system="reconcile",
                    messages=[AgentMessage(role="user", text="find the PO")],
                    tools=list(READ_TOOLS[:1]),
                    call=call,
                ),
            )
        assert answer.output_tokens > 0
        assert local.requests[-1].headers["authorization"] == "Bearer not-needed"
