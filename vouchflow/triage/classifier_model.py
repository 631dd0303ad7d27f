"""The model classifier: the support_ticket_classifier prompt through the shared LLM
path (llm/structured.py), the answer re-validated locally, one repair, fail closed.

Whatever the model says, routing is decided by code from the validated fields; the
rules' injection check runs on the ticket too, and a flag sends it to a person.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.triage.classification import (
    OUTPUT_SCHEMA_NAME,
    ClassificationResult,
    ClassifierInfo,
    TicketClassification,
)
from schemas.triage.context import CustomerContext
from schemas.triage.events import TicketV1
from vouchflow.invoice.extraction.injection import detect_injection
from vouchflow.llm.config import LlmSettings
from vouchflow.llm.model_step import cut_input, run_model_step
from vouchflow.llm.providers import complete_with
from vouchflow.llm.structured import Complete, validation_errors
from vouchflow.prompts.registry import PromptSpec
from vouchflow.triage.classifier_rules import normalise
from vouchflow.triage.settings import ClassifierSettings


class StrictClassificationOutput(BaseModel):
    """What the provider is asked to fill: no bounds in the schema (not every provider's
    strict mode accepts them); the bounds are checked locally by TicketClassification."""

    model_config = ConfigDict(extra="forbid")

    category: Literal["billing", "bug", "sales", "account", "how_to", "other"]
    urgency: Literal["low", "medium", "high"]
    confidence: float = Field(description="0..1")
    reason: str = Field(description="one sentence, at most 300 characters")


def _check(value: StrictClassificationOutput) -> list[str]:
    if not math.isfinite(value.confidence):
        return ["confidence: must be a finite number between 0 and 1"]
    try:
        TicketClassification.model_validate(value.model_dump())
    except ValidationError as err:
        return validation_errors(err)
    return []


def _money(amount_minor: int, currency: str) -> str:
    return f"{amount_minor} {currency} minor units"


def history_lines(context: CustomerContext) -> str:
    lines = [
        f"- ticket {t.id} ({t.opened_on}): {t.subject} [{t.status}]" for t in context.recent_tickets
    ]
    lines += [
        f"- charge {c.id} ({c.charged_on}): {_money(c.amount.amount_minor, c.amount.currency)}"
        f" [{c.status}]"
        for c in context.charges
    ]
    lines += [
        f"- invoice {i.id} ({i.issued_on}): {_money(i.amount.amount_minor, i.amount.currency)}"
        f" [{i.status}]"
        for i in context.invoices
    ]
    return "\n".join(lines) or "- none on record"


def _closed(info: ClassifierInfo, reason: str) -> TicketClassification:
    return TicketClassification(
        category="other",
        urgency="medium",
        confidence=0.0,
        reason=f"[{info.kind} failed closed] {reason}"[:300],
    )


async def classify_with_model(
    *,
    ticket: TicketV1,
    context: CustomerContext,
    provider: str,
    spec: PromptSpec,
    settings: ClassifierSettings,
    llm: LlmSettings,
    env: Mapping[str, str],
    token_budget_remaining: int | None,
    complete: Complete = complete_with,
) -> ClassificationResult:
    notes: list[str] = []
    body = cut_input(ticket.body, settings, "ticket body", notes)
    flags = detect_injection(normalise(f"{ticket.subject}\n{ticket.body}"))
    step = await run_model_step(
        provider=provider,
        spec=spec,
        settings=settings,
        values={
            "subject": ticket.subject,
            "body": body,
            "channel": ticket.channel,
            "language": ticket.language,
            "plan": context.plan,
            "region": context.region,
            "arr": _money(context.arr.amount_minor, context.arr.currency),
            "history": history_lines(context),
        },
        untrusted=f"{ticket.subject}\n{body}",
        output_model=StrictClassificationOutput,
        schema_name=OUTPUT_SCHEMA_NAME,
        check=_check,
        llm=llm,
        env=env,
        token_budget_remaining=token_budget_remaining,
        notes=notes,
        complete=complete,
    )
    model = step.info
    info = ClassifierInfo(
        name=f"{model['kind']} {model['model']} (prompt {spec.name} v{spec.version})", **model
    )
    common = {
        "classifier": info,
        "usage": step.usage,
        "attempts": step.attempts,
        "injection_flags": flags,
        "notes": step.notes,
    }
    if step.value is None:
        return ClassificationResult(
            classification=_closed(info, step.failure_reason),
            failed_closed=True,
            failure_reason=step.failure_reason,
            **common,
        )
    return ClassificationResult(
        classification=TicketClassification.model_validate(step.value.model_dump()), **common
    )
