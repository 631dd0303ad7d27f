"""One model extraction: prompt, call, validate, one repair, fail closed, account.

The model's answer is untrusted: it is re-validated locally, gets one repair attempt
with the validation errors, and otherwise the result is marked failed_closed so the
workflow routes the invoice to a person with the reason.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping

from schemas.invoice.extraction import (
    ExtractionProblem,
    ExtractionResult,
    ExtractorInfo,
    LlmAttempt,
    TokenUsage,
)
from schemas.invoice.invoice import Invoice
from vouchflow.documents.text_safety import safe_text
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.invoice.extraction.problems import credit_note_convention, truncation_problem
from vouchflow.llm.config import LlmSettings, llm_settings
from vouchflow.llm.crosscheck import compare_invoices
from vouchflow.llm.output import parse_output
from vouchflow.llm.pricing import add_usage, cost_micro_usd, price_for
from vouchflow.llm.providers import CallSettings, Completion, Conversation, Turn, complete_with
from vouchflow.observability.tracing import genai_span, record_usage
from vouchflow.prompts.registry import PromptSpec, load_spec, render, render_repair, resolve_label
from vouchflow.settings import Settings

BUDGET_EXCEEDED = "token budget exceeded"


def _find_injection(text: str) -> tuple[list[str], str | None]:
    try:
        from vouchflow.invoice.extraction.injection import detect_injection
    except ImportError as exc:
        return [], f"injection check unavailable: {exc}"
    return detect_injection(text), None


def _credentials(kind: str, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    if kind == "anthropic":
        return env.get("ANTHROPIC_API_KEY"), env.get("ANTHROPIC_BASE_URL") or None
    return env.get("OPENAI_API_KEY"), env.get("OPENAI_BASE_URL") or None


def _estimate_tokens(conversation: Conversation, call: CallSettings, cfg: LlmSettings) -> int:
    return math.ceil(conversation.char_count() / cfg.chars_per_token) + call.max_output_tokens


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


def _spec(
    prompt_name: str | None, prompt_version: str | None, cfg: LlmSettings, settings: Settings
) -> PromptSpec:
    name = prompt_name or cfg.prompt_name
    if prompt_version:
        return load_spec(name, prompt_version)
    return resolve_label(name, cfg.prompt_label, settings.home)


async def run_llm_extraction(
    *,
    text: str,
    filename: str,
    provider: str,
    settings: Settings,
    env: Mapping[str, str],
    prompt_name: str | None = None,
    prompt_version: str | None = None,
    token_budget_remaining: int | None = None,
) -> ExtractionResult:
    kind, model = split_provider(provider)
    assert model is not None, "rules is not a model provider"
    cfg = llm_settings(settings)
    spec = _spec(prompt_name, prompt_version, cfg, settings)
    notes: list[str] = []
    problems: list[ExtractionProblem] = []
    text = safe_text(text)

    document = text[: cfg.max_input_chars]
    truncated = len(document) < len(text)
    if truncated:
        notes.append(f"document cut from {len(text)} to {len(document)} characters for the model")
        problems.append(
            truncation_problem(len(document), len(text), "the model was sent only the start")
        )
    flags, note = _find_injection(text)
    if note:
        notes.append(note)
    _, price_key = price_for(model, cfg)
    if price_key is None:
        notes.append(f"no price for {model} in [llm.prices]: cost recorded as 0")
    elif price_key == "default":
        notes.append(f"no price for {model} in [llm.prices]: priced at `default`")

    max_out = cfg.max_output_tokens
    if spec.max_output_tokens is not None:
        max_out = min(max_out, spec.max_output_tokens)
    api_key, base_url = _credentials(kind, env)
    # Anthropic's current Messages API takes no temperature; record only what is sent.
    temperature = spec.temperature if kind != "anthropic" else None
    call = CallSettings(
        model=model,
        max_output_tokens=max_out,
        timeout_s=cfg.timeout_s,
        temperature=temperature,
        api_key=api_key,
        base_url=base_url,
    )
    info = ExtractorInfo(
        kind=kind,
        name=f"{kind} {model} (prompt {spec.name} v{spec.version})",
        model=model,
        prompt_name=spec.name,
        prompt_version=spec.version,
        settings={
            "temperature": "provider default" if temperature is None else str(temperature),
            "max_output_tokens": str(max_out),
            "timeout_s": str(cfg.timeout_s),
            "max_input_chars": str(cfg.max_input_chars),
            "prompt_sha256": spec.sha256,
        },
    )

    rendered = render(spec, document=document, filename=filename)
    conversation = Conversation(
        system=rendered.system, turns=[Turn(role="user", content=rendered.user)]
    )
    attempts: list[LlmAttempt] = []
    total = TokenUsage()

    def failed(reason: str) -> ExtractionResult:
        return ExtractionResult(
            invoice=Invoice(),
            extractor=info,
            usage=total,
            injection_flags=flags,
            notes=notes,
            attempts=attempts,
            failed_closed=True,
            failure_reason=reason,
            text_truncated=truncated,
            problems=problems,
        )

    for attempt in (1, 2):
        spent = total.input_tokens + total.output_tokens
        estimate = _estimate_tokens(conversation, call, cfg)
        if token_budget_remaining is not None and estimate > token_budget_remaining - spent:
            notes.append(
                f"attempt {attempt} needs up to {estimate} tokens;"
                f" {max(token_budget_remaining - spent, 0)} left in the workflow budget"
            )
            return failed(BUDGET_EXCEEDED)
        with genai_span(
            provider=kind,
            model=model,
            max_tokens=max_out,
            temperature=temperature,
            prompt_name=spec.name,
            prompt_version=spec.version,
            attempt=attempt,
        ) as span:
            completion = await complete_with(kind, conversation, call)
            usage = _usage(completion, model, cfg)
            record_usage(
                span,
                response_model=completion.model,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
            )
        total = add_usage(total, usage)
        parsed, errors = parse_output(completion.text)
        attempts.append(
            LlmAttempt(
                attempt=attempt,
                provider=provider,
                model=completion.model,
                ok=parsed is not None,
                errors=errors,
                usage=usage,
                raw_output_sha256=hashlib.sha256(completion.text.encode("utf-8")).hexdigest(),
            )
        )
        if parsed is not None:
            result = ExtractionResult(
                invoice=parsed.invoice,
                evidence=parsed.evidence,
                extractor=info,
                usage=total,
                invoice_likelihood=parsed.invoice_likelihood,
                injection_flags=flags,
                notes=notes,
                attempts=attempts,
                text_truncated=truncated,
                problems=[*problems, *parsed.problems],
            )
            return _with_cross_check(result, text, filename)
        conversation = Conversation(
            system=conversation.system,
            turns=[
                *conversation.turns,
                Turn(role="assistant", content=completion.text or "(empty answer)"),
                Turn(role="user", content=render_repair(spec, errors)),
            ],
        )
    return failed("model output failed validation twice: " + "; ".join(attempts[-1].errors[:5]))


def _with_cross_check(result: ExtractionResult, text: str, filename: str) -> ExtractionResult:
    try:
        from vouchflow.invoice.extraction.rules import extract_with_rules

        rules = extract_with_rules(text, filename=filename)
    except ImportError as exc:
        return result.model_copy(update={"notes": [*result.notes, f"no rules cross-check: {exc}"]})
    agreement, disagreeing = compare_invoices(result.invoice, rules.invoice)
    flags = list(dict.fromkeys([*result.injection_flags, *rules.injection_flags]))
    invoice, problems, notes = apply_printed_facts(result, rules)
    return result.model_copy(
        update={
            "invoice": invoice,
            "problems": problems,
            "notes": notes,
            "cross_check_invoice": rules.invoice,
            "agreement": agreement,
            "disagreeing_fields": disagreeing,
            "injection_flags": flags,
        }
    )


# What the deterministic reading establishes about the printed document, whatever a
# model answers: a value printed unusably (out of range, no such date) must not be
# replaced by the model's guess, and a document titled as a credit note is one.
_PRINTED_PROBLEMS = ("amount.out_of_range", "date.impossible", "date.implausible")
_HEADER_FIELDS = ("issue_date", "due_date", "subtotal_minor", "tax_total_minor", "total_minor")


def apply_printed_facts(
    result: ExtractionResult, rules: ExtractionResult
) -> tuple[Invoice, list[ExtractionProblem], list[str]]:
    invoice = result.invoice
    problems = list(result.problems)
    notes = list(result.notes)
    known = {(p.code, p.field) for p in problems}
    cleared: dict[str, None] = {}
    for found in rules.problems:
        if found.code not in _PRINTED_PROBLEMS or found.field not in _HEADER_FIELDS:
            continue
        if (found.code, found.field) not in known:
            problems.append(found)
        if getattr(invoice, found.field) is not None:
            cleared[found.field] = None
            notes.append(
                f"{found.field}: the model's value was dropped; the document prints "
                f"{found.raw_text!r}, which is not a usable value"
            )
    if cleared:
        invoice = invoice.model_copy(update=cleared)
    if rules.invoice.document_type == "credit_note" and invoice.document_type != "credit_note":
        invoice, sign_notes = credit_note_convention(
            invoice.model_copy(update={"document_type": "credit_note"})
        )
        notes += ["the document is titled as a credit note", *sign_notes]
    return invoice, problems, notes
