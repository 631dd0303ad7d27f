"""Which answers a suite run uses: `rules`, `cassette[:KIND:MODEL]` or a live provider.

* `rules`: the embedded extractor / classifier (no model, no network).
* `cassette`: the spec's prompt version against recorded model answers, offline; the
  provider defaults to `openai:<the spec's model>`, `cassette:anthropic:MODEL` picks
  another. A request nobody recorded fails that case with the reason.
* `openai:MODEL`, `anthropic:MODEL`, `openai-compatible:MODEL`: a live call with the
  keys in the environment (add `VOUCHFLOW_CASSETTE=record` to record while you run).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

from pydantic import BaseModel, ConfigDict

from vouchflow.llm.cassettes import use_cassette
from vouchflow.llm.providers import LLM_KINDS
from vouchflow.prompts.registry import PromptSpec

# Replay never opens a connection; these only satisfy the SDKs' own checks.
REPLAY_ENV = {
    "OPENAI_API_KEY": "cassette-replay",
    "OPENAI_BASE_URL": "http://cassette.invalid/v1",
    "ANTHROPIC_API_KEY": "cassette-replay",
    "ANTHROPIC_BASE_URL": "http://cassette.invalid",
}


class ProviderError(ValueError):
    """An unknown provider name."""


class RunProvider(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str  # as given: rules, cassette, openai:gpt-5-mini ...
    call: str  # what the extractor / classifier is asked to run
    replay: bool = False

    @property
    def concurrency(self) -> int:
        # Local work is measured one case at a time (clean latencies); a live model
        # is worth a few calls in flight.
        return 1 if self.call == "rules" or self.replay else 4


def parse_provider(text: str, spec: PromptSpec) -> RunProvider:
    text = text.strip()
    if text == "rules":
        return RunProvider(label="rules", call="rules")
    if text == "cassette" or text.startswith("cassette:"):
        call = text.partition(":")[2] or f"openai:{spec.model}"
        _check_model_provider(call)
        return RunProvider(label=text, call=call, replay=True)
    _check_model_provider(text)
    return RunProvider(label=text, call=text)


def _check_model_provider(call: str) -> None:
    kind, _, model = call.partition(":")
    if kind not in LLM_KINDS or not model:
        raise ProviderError(
            f"unknown provider {call!r}: use rules, cassette[:KIND:MODEL] or KIND:MODEL "
            f"with KIND one of {', '.join(LLM_KINDS)}"
        )


@contextlib.contextmanager
def provider_env(provider: RunProvider, cassettes: str) -> Iterator[Mapping[str, str]]:
    """The environment the provider reads its credentials from, with the cassette set
    for replay runs."""
    if not provider.replay:
        yield os.environ
        return
    from pathlib import Path

    with use_cassette("replay", Path(cassettes)):
        yield {**os.environ, **REPLAY_ENV}
