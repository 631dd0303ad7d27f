"""One model extraction: prompt, call, validate, one repair, fail closed, account.

The model's answer is untrusted: it is re-validated locally, gets one repair attempt
with the validation errors, and otherwise the result is marked failed_closed so the
workflow routes the invoice to a person with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemas.invoice.extraction import (
    ExtractionProblem,
    ExtractionResult,
    ExtractorInfo,
)
from schemas.invoice.invoice import Invoice
from vouchflow.documents.text_safety import safe_text
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.invoice.extraction.problems import credit_note_convention, truncation_problem
from vouchflow.llm.config import LlmSettings, llm_settings
from vouchflow.llm.crosscheck import compare_invoices
from vouchflow.llm.output import OUTPUT_SCHEMA_NAME, StrictInvoiceOutput, parse_output
from vouchflow.llm.providers import Conversation, Turn
from vouchflow.llm.structured import call_model
from vouchflow.prompts.registry import PromptSpec, load_spec, render, resolve_label
from vouchflow.settings import Settings

BUDGET_EXCEEDED = "token budget exceeded"


def _find_injection(text: str) -> tuple[list[str], str | None]:
    try:
        from vouchflow.invoice.extraction.injection import detect_injection
    except ImportError as exc:
        return [], f"injection check unavailable: {exc}"
    return detect_injection(text), None


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
    max_out = cfg.max_output_tokens
    if spec.max_output_tokens is not None:
        max_out = min(max_out, spec.max_output_tokens)
    rendered = render(spec, document=document, filename=filename)
    # The shared structured-output call: budget, circuit breaker, span, usage and cost,
    # validation, one repair, fail closed. The invoice renders its own prompt (document
    # and file name) and reads problems out of the answer as well as the invoice.
    outcome = await call_model(
        provider=provider,
        spec=spec,
        output_model=StrictInvoiceOutput,
        schema_name=OUTPUT_SCHEMA_NAME,
        llm=cfg,
        max_output_tokens=max_out,
        timeout_s=cfg.timeout_s,
        env=env,
        token_budget_remaining=token_budget_remaining,
        conversation=Conversation(
            system=rendered.system, turns=[Turn(role="user", content=rendered.user)]
        ),
        parse=parse_output,
    )
    notes += outcome.notes
    info = ExtractorInfo(
        kind=kind,
        name=f"{kind} {model} (prompt {spec.name} v{spec.version})",
        model=model,
        prompt_name=spec.name,
        prompt_version=spec.version,
        settings={**outcome.settings, "max_input_chars": str(cfg.max_input_chars)},
    )
    parsed = outcome.value
    if parsed is None:
        return ExtractionResult(
            invoice=Invoice(),
            extractor=info,
            usage=outcome.usage,
            injection_flags=flags,
            notes=notes,
            attempts=outcome.attempts,
            failed_closed=True,
            failure_reason=outcome.failure_reason,
            text_truncated=truncated,
            problems=problems,
        )
    result = ExtractionResult(
        invoice=parsed.invoice,
        evidence=parsed.evidence,
        extractor=info,
        usage=outcome.usage,
        invoice_likelihood=parsed.invoice_likelihood,
        injection_flags=flags,
        notes=notes,
        attempts=outcome.attempts,
        text_truncated=truncated,
        problems=[*problems, *parsed.problems],
    )
    return _with_cross_check(result, text, filename)


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
