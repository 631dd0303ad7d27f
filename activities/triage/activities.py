"""Triage activities: thin adapters from Temporal to vouchflow/triage.

Each takes one input model carrying only the settings section it needs; integration
errors become Temporal failures with the retry decision (activities/errors.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable, Mapping
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from activities.common.model_step import answer_step, pin_prompt
from activities.common.sections import read_section
from schemas.triage.activities import (
    ClassifyTicketInput,
    CorrectionStored,
    EscalationInput,
    EscalationReceipt,
    LoadContextInput,
    ResolveTriagePromptInput,
    StoredDecision,
    StoreDecisionInput,
    TriagePromptRef,
)
from schemas.triage.classification import ClassificationResult
from schemas.triage.context import CustomerContext
from schemas.triage.decisions import CorrectionRecord
from schemas.triage.policy import TriagePolicy
from vouchflow.triage.classifier_rules import classify_with_rules
from vouchflow.triage.customers import CustomerStore, open_customer_store
from vouchflow.triage.jira import JiraClient, JiraError, event_label
from vouchflow.triage.settings import TriageSettings, load_triage_settings
from vouchflow.triage.store import TriageStore

CUSTOMERS_URL_ENV = "VOUCHFLOW_CUSTOMERS_URL"
TRIAGE_STORE_URL_ENV = "VOUCHFLOW_TRIAGE_STORE_URL"


class TriageActivities:
    def __init__(
        self,
        deps: ActivityDeps,
        triage: TriageSettings | None = None,
        *,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._deps = deps
        self._env = os.environ if env is None else env
        self._triage = triage
        self._store: TriageStore | None = None
        self._customers: dict[str, CustomerStore] = {}

    @property
    def store(self) -> TriageStore:
        if self._store is None:
            self._store = TriageStore.open(
                self._deps.settings.home, self._env.get(TRIAGE_STORE_URL_ENV) or None
            )
        return self._store

    def _customer_store(self, backend: str) -> CustomerStore:
        if backend not in self._customers:
            self._customers[backend] = open_customer_store(
                backend, self._deps.settings.home, self._env.get(CUSTOMERS_URL_ENV)
            )
        return self._customers[backend]

    @activity.defn(name="load_triage_policy")
    async def load_triage_policy(self) -> TriagePolicy:
        """Read once per workflow; the answer is then fixed in its history."""
        triage = self._triage
        if triage is None:
            triage = await read_section(load_triage_settings, "triage", self._env)
        return TriagePolicy(
            routing=triage.routing,
            review=triage.review,
            classifier=triage.classifier,
            customers=triage.customers,
            escalation=triage.effects.escalation,
            jira=triage.jira,
        )

    @activity.defn(name="load_customer_context")
    def load_customer_context(self, request: LoadContextInput) -> CustomerContext:
        store = self._customer_store(request.settings.backend)
        return store.context(request.customer, history_limit=request.settings.history_limit)

    @activity.defn(name="resolve_triage_prompt")
    def resolve_triage_prompt(self, request: ResolveTriagePromptInput) -> TriagePromptRef:
        return pin_prompt(
            TriagePromptRef, request.prompt_name, request.prompt_label, self._deps.settings.home
        )

    @activity.defn(name="classify_ticket")
    async def classify_ticket(self, request: ClassifyTicketInput) -> ClassificationResult:
        from vouchflow.triage.classifier_model import classify_with_model

        return await answer_step(
            self._deps,
            request,
            what="classifier",
            rules=lambda: classify_with_rules(request.ticket),
            ask=lambda spec, llm: classify_with_model(
                ticket=request.ticket,
                context=request.context,
                provider=request.provider,
                spec=spec,
                settings=request.settings,
                llm=llm,
                env=self._env,
                token_budget_remaining=request.token_budget_remaining,
            ),
        )

    @activity.defn(name="store_triage_decision")
    def store_triage_decision(self, request: StoreDecisionInput) -> StoredDecision:
        return self.store.store_decision(request, now=dt.datetime.now(dt.UTC))

    @activity.defn(name="record_triage_correction")
    def record_triage_correction(self, record: CorrectionRecord) -> CorrectionStored:
        created = self.store.record_correction(record)
        return CorrectionStored(correction_id=record.idempotency_key, created=created)

    @activity.defn(name="create_escalation_issue")
    async def create_escalation_issue(self, request: EscalationInput) -> EscalationReceipt:
        """Search before create, whichever the destination: a retry finds the first issue."""
        label = event_label(request.event_id, request.jira.label_prefix)
        known = await asyncio.to_thread(self.store.escalations, label, request.destination)
        if request.destination == "local":
            if known:
                key, issue_id = known[0]
                return EscalationReceipt(
                    destination="local", issue_key=key, issue_id=issue_id, created=False
                )
            key = f"LOCAL-{label.rsplit('-', 1)[-1][:12].upper()}"
            await self._record_escalation(request, label, "local", key, label)
            return EscalationReceipt(
                destination="local", issue_key=key, issue_id=label, created=True
            )
        email = self._env.get("JIRA_EMAIL", "")
        token = self._env.get("JIRA_API_TOKEN", "")
        if not email or not token:
            raise ApplicationError(
                "jira: JIRA_EMAIL and JIRA_API_TOKEN must be set",
                type="JiraError",
                non_retryable=True,
            )
        try:
            async with JiraClient(
                request.jira.base_url,
                email=email,
                api_token=token,
                timeout_s=request.jira.timeout.total_seconds(),
            ) as client:
                issue = await client.ensure_issue(
                    project_key=request.jira.project_key,
                    issue_type=request.jira.issue_type,
                    label=label,
                    summary=request.summary,
                    description=request.description,
                    extra_labels=[f"triage-{request.category}", f"urgency-{request.urgency}"],
                    known_ids=[issue_id for _, issue_id in known],
                )
        except JiraError as err:
            raise to_application_error(err) from err
        if issue.created:
            await self._record_escalation(request, label, "jira", issue.key, issue.id)
        return EscalationReceipt(
            destination="jira",
            issue_key=issue.key,
            issue_id=issue.id,
            url=issue.url,
            created=issue.created,
        )

    async def _record_escalation(
        self, request: EscalationInput, label: str, destination: str, key: str, issue_id: str
    ) -> None:
        """Kept under the event's label: the next attempt's search finds it."""
        await asyncio.to_thread(
            self.store.record_escalation,
            label=label,
            destination=destination,
            workflow_id=request.workflow_id,
            issue_key=key,
            issue_id=issue_id,
            queue=request.queue,
            summary=request.summary,
            now=dt.datetime.now(dt.UTC),
        )

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.load_triage_policy,
            self.load_customer_context,
            self.resolve_triage_prompt,
            self.classify_ticket,
            self.store_triage_decision,
            self.record_triage_correction,
            self.create_escalation_issue,
        ]
