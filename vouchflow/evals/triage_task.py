"""One support-ticket case through the classifier and the real routing rules.

The classifier is the embedded rules classifier or a model with the spec's prompt
version (`triage.classifier_model`, the same call the `classify_ticket` activity makes);
the route comes from `triage.rules.route_ticket` with the configured routing settings,
so a case checks what would happen to the ticket, not only the label.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from schemas.triage.classification import ClassificationResult
from schemas.triage.context import CustomerContext
from schemas.triage.events import Money, TicketV1
from vouchflow.evals.models import TicketInput, TicketOutput
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.llm.config import llm_settings
from vouchflow.prompts.registry import load_spec
from vouchflow.runtime.errors import user_message
from vouchflow.settings import Settings
from vouchflow.triage.classifier_rules import classify_with_rules
from vouchflow.triage.rules import route_ticket
from vouchflow.triage.settings import TriageSettings

SPEC_NAME = "support_ticket_classifier"


def ticket_of(case: TicketInput) -> TicketV1:
    # A stable id from the text: the model sees the same prompt for the same case.
    digest = hashlib.sha256(f"{case.subject}\n{case.body}".encode()).hexdigest()[:12]
    return TicketV1(
        id=f"eval-{digest}",
        subject=case.subject,
        body=case.body,
        channel=case.channel,
        language=case.language,
    )


def context_of(case: TicketInput) -> CustomerContext:
    return CustomerContext(
        customer_id="eval",
        known=False,
        source="event",
        plan=case.plan,
        arr=Money(amount_minor=0, currency="EUR"),
        region="eval",
    )


async def classify_case(
    case: TicketInput,
    *,
    provider: str,
    prompt_version: str,
    settings: Settings,
    triage: TriageSettings,
    env: Mapping[str, str],
) -> ClassificationResult:
    ticket = ticket_of(case)
    if provider == "rules":
        return classify_with_rules(ticket)
    from vouchflow.triage.classifier_model import classify_with_model

    return await classify_with_model(
        ticket=ticket,
        context=context_of(case),
        provider=provider,
        spec=load_spec(SPEC_NAME, prompt_version),
        settings=triage.classifier,
        llm=llm_settings(settings),
        env=env,
        token_budget_remaining=None,
    )


async def run_ticket_case(
    case: TicketInput,
    *,
    provider: str,
    prompt_version: str,
    settings: Settings,
    triage: TriageSettings,
    env: Mapping[str, str],
) -> TicketOutput:
    try:
        result = await classify_case(
            case,
            provider=provider,
            prompt_version=prompt_version,
            settings=settings,
            triage=triage,
            env=env,
        )
    except ExtractionError as err:
        # The provider could not be reached or refused: the workflow would fall back to
        # a person; the suite counts it as no valid answer.
        return TicketOutput(
            valid=False,
            category="other",
            urgency="low",
            confidence=0.0,
            route="review",
            failure=user_message(err),
        )
    c = result.classification
    route = route_ticket(
        c,
        plan=case.plan,
        settings=triage.routing,
        failed_closed=result.failed_closed,
        injection_flags=result.injection_flags,
    )
    return TicketOutput(
        valid=not result.failed_closed,
        category=c.category,
        urgency=c.urgency,
        confidence=c.confidence,
        route=route.route,
        injection_flags=result.injection_flags,
        classifier=result.classifier.name,
        failure=result.failure_reason,
    )
