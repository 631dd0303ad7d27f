"""One structured model call, for any output model: the LLM path every workflow shares.

    prompt spec -> render (untrusted text between hash-derived delimiters) -> token
    budget check -> circuit breaker -> call the provider with the strict schema of
    `output_model` -> validate locally (the Pydantic model, then the caller's own
    checks) -> one repair turn carrying the errors -> fail closed

Every attempt is recorded (model, errors, usage, a hash of the raw answer) with its
cost from the configured price table, inside an OpenTelemetry GenAI span. Transport
failures raise ``ExtractionError`` (retryable or not, with Retry-After) for the
activity to turn into a Temporal failure; an answer that does not validate twice, or a
call the token budget cannot afford, is not an error but a closed outcome
(``value is None`` with ``failure_reason``), so the workflow sends the item to a person.
"""

from __future__ import annotations

import hashlib
import json
import math
import string
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.invoice.extraction import LlmAttempt, TokenUsage
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.llm.circuit import breaker_for
from vouchflow.llm.config import LlmSettings
from vouchflow.llm.pricing import add_usage, cost_micro_usd, price_for
from vouchflow.llm.providers import CallSettings, Completion, Conversation, Turn, complete_with
from vouchflow.observability.tracing import genai_span, record_usage
from vouchflow.prompts.registry import PromptSpec

T = TypeVar("T", bound=BaseModel)
# What a caller makes of an answer (not necessarily the schema the provider fills).
U = TypeVar("U")
BUDGET_EXCEEDED = "token budget exceeded"


class Complete(Protocol):
    def __call__(
        self,
        kind: str,
        conversation: Conversation,
        call: CallSettings,
        *,
        output_model: type[BaseModel],
        schema_name: str,
    ) -> Awaitable[Completion]: ...


@dataclass
class StructuredOutcome(Generic[U]):
    value: U | None
    kind: str
    model: str
    attempts: list[LlmAttempt] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)
    notes: list[str] = field(default_factory=list)
    # What was sent, for the record (temperature, max tokens, prompt hash...).
    settings: dict[str, str] = field(default_factory=dict)
    failure_reason: str | None = None


def provider_credentials(kind: str, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    if kind == "anthropic":
        return env.get("ANTHROPIC_API_KEY"), env.get("ANTHROPIC_BASE_URL") or None
    return env.get("OPENAI_API_KEY"), env.get("OPENAI_BASE_URL") or None


def render_spec(spec: PromptSpec, values: Mapping[str, str], *, untrusted: str) -> tuple[str, str]:
    """(system, user). The delimiter boundary derives from the untrusted text's own
    hash, so that text cannot contain the matching end marker."""
    boundary = hashlib.sha256(untrusted.encode("utf-8")).hexdigest()[:16]
    filled = {**values, "boundary": boundary}
    return (
        string.Template(spec.system.strip()).substitute(filled),
        string.Template(spec.template.strip()).substitute(filled),
    )


def redacted_answer(text: str) -> str:
    """A model's raw answer as it may be kept: JSON redacted by key and in its text (bank
    ids to their last four, secrets and card numbers masked), anything else as text."""
    from vouchflow.stores.redact import redact, redact_text

    try:
        return json.dumps(redact(json.loads(text)), ensure_ascii=False)
    except (json.JSONDecodeError, RecursionError):
        return redact_text(text)


def validation_errors(err: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in err.errors()[:10]
    ]


def parse_as(output_model: type[T], raw: str) -> tuple[T | None, list[str]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, [f"output is not valid JSON: {exc.msg} at position {exc.pos}"]
    except RecursionError:
        return None, ["output is nested too deeply"]
    try:
        return output_model.model_validate(data), []
    except ValidationError as exc:
        return None, validation_errors(exc)


def _usage(completion: Completion, model: str, cfg: LlmSettings) -> TokenUsage:
    price, _ = price_for(model, cfg)
    cost = 0
    if price is not None:
        cost = cost_micro_usd(
            price,
            input_tokens=completion.input_tokens,
            output_tokens=completion.output_tokens,
            cached_tokens=completion.cached_tokens,
            cache_write_tokens=completion.cache_write_tokens,
        )
    return TokenUsage(
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        cached_tokens=completion.cached_tokens,
        cost_micro_usd=cost,
    )


async def call_structured(
    *,
    provider: str,
    spec: PromptSpec,
    values: Mapping[str, str],
    untrusted: str,
    output_model: type[T],
    schema_name: str,
    llm: LlmSettings,
    max_output_tokens: int,
    timeout_s: float,
    env: Mapping[str, str],
    token_budget_remaining: int | None = None,
    check: Callable[[T], list[str]] | None = None,
    complete: Complete = complete_with,
) -> StructuredOutcome[T]:
    """The spec rendered with `values`, the answer validated against `output_model`."""
    system, user = render_spec(spec, values, untrusted=untrusted)

    def parse(text: str) -> tuple[T | None, list[str]]:
        value, errors = parse_as(output_model, text)
        if value is not None and check is not None:
            errors = check(value)
            value = None if errors else value
        return value, errors

    return await call_model(
        provider=provider,
        spec=spec,
        conversation=Conversation(system=system, turns=[Turn(role="user", content=user)]),
        output_model=output_model,
        schema_name=schema_name,
        parse=parse,
        llm=llm,
        max_output_tokens=max_output_tokens,
        timeout_s=timeout_s,
        env=env,
        token_budget_remaining=token_budget_remaining,
        complete=complete,
    )


async def call_model(
    *,
    provider: str,
    spec: PromptSpec,
    conversation: Conversation,
    output_model: type[BaseModel],
    schema_name: str,
    parse: Callable[[str], tuple[U | None, list[str]]],
    llm: LlmSettings,
    max_output_tokens: int,
    timeout_s: float,
    env: Mapping[str, str],
    token_budget_remaining: int | None = None,
    complete: Complete = complete_with,
) -> StructuredOutcome[U]:
    """The call loop itself, for a prompt already rendered: `output_model` is the strict
    schema the provider fills, `parse` turns an answer into the caller's value (or the
    errors a repair turn carries)."""
    kind, model = split_provider(provider)
    if model is None:
        raise ValueError(f"{provider!r} is not a model provider")
    breaker = breaker_for(llm.circuit_failures, llm.circuit_cooldown.total_seconds())
    notes: list[str] = []
    _, price_key = price_for(model, llm)
    if price_key is None:
        notes.append(f"no price for {model} in [llm.prices]: cost recorded as 0")
    elif price_key == "default":
        notes.append(f"no price for {model} in [llm.prices]: priced at `default`")
    max_out = min(max_output_tokens, spec.max_output_tokens or max_output_tokens)
    api_key, base_url = provider_credentials(kind, env)
    # Anthropic's current Messages API takes no temperature; record only what is sent.
    temperature = spec.temperature if kind != "anthropic" else None
    call = CallSettings(
        model=model,
        max_output_tokens=max_out,
        timeout_s=timeout_s,
        temperature=temperature,
        api_key=api_key,
        base_url=base_url,
    )
    outcome: StructuredOutcome[U] = StructuredOutcome(
        value=None,
        kind=kind,
        model=model,
        notes=notes,
        settings={
            "temperature": "provider default" if temperature is None else str(temperature),
            "max_output_tokens": str(max_out),
            "timeout_s": str(timeout_s),
            "prompt_sha256": spec.sha256,
        },
    )
    for attempt in (1, 2):
        spent = outcome.usage.input_tokens + outcome.usage.output_tokens
        estimate = math.ceil(conversation.char_count() / llm.chars_per_token) + max_out
        if token_budget_remaining is not None and estimate > token_budget_remaining - spent:
            notes.append(
                f"attempt {attempt} needs up to {estimate} tokens;"
                f" {max(token_budget_remaining - spent, 0)} left in the workflow budget"
            )
            outcome.failure_reason = BUDGET_EXCEEDED
            return outcome
        breaker.before_call(provider)
        with genai_span(
            provider=kind,
            model=model,
            max_tokens=max_out,
            temperature=temperature,
            prompt_name=spec.name,
            prompt_version=spec.version,
            attempt=attempt,
        ) as span:
            try:
                completion = await complete(
                    kind, conversation, call, output_model=output_model, schema_name=schema_name
                )
            except ExtractionError as err:
                breaker.record_failure(provider, err)
                raise
            breaker.record_success(provider)
            usage = _usage(completion, model, llm)
            record_usage(
                span,
                response_model=completion.model,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
            )
        outcome.usage = add_usage(outcome.usage, usage)
        value, errors = parse(completion.text)
        outcome.attempts.append(
            LlmAttempt(
                attempt=attempt,
                provider=provider,
                model=completion.model,
                ok=value is not None,
                errors=errors,
                usage=usage,
                raw_output_sha256=hashlib.sha256(completion.text.encode("utf-8")).hexdigest(),
                # Kept for the activity to store (redacted), never serialised into history.
                raw_output=redacted_answer(completion.text),
                input_text=conversation.model_dump_json(),
            )
        )
        if value is not None:
            outcome.value = value
            return outcome
        listed = "\n".join(f"- {e}" for e in errors)
        conversation = Conversation(
            system=conversation.system,
            turns=[
                *conversation.turns,
                Turn(role="assistant", content=completion.text or "(empty answer)"),
                Turn(
                    role="user",
                    content=string.Template(spec.repair_template.strip()).substitute(errors=listed),
                ),
            ],
        )
    outcome.failure_reason = "model output failed validation twice: " + "; ".join(
        outcome.attempts[-1].errors[:5]
    )
    return outcome
