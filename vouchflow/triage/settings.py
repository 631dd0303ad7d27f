"""The `[triage]` section of the configuration file, as typed settings.

Read from the same file as the rest of the configuration (``$VOUCHFLOW_CONFIG``, else
``vouchflow.toml`` at the project root); an absent section means the documented
defaults. Only choices and thresholds live here: Jira credentials come from the
environment (``JIRA_EMAIL``, ``JIRA_API_TOKEN``), the production customer store's URL
from ``VOUCHFLOW_CUSTOMERS_URL``.

Each activity receives only the section it needs (routing, review, classifier,
customers, Jira), never the whole object.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, field_validator

from schemas.triage.classification import CATEGORIES
from vouchflow.settings.config import Duration
from vouchflow.settings.sections import ModelStepSettings, Section, chain_problems, load_section

_DEFAULT_QUEUES = {category: f"support-{category.replace('_', '-')}" for category in CATEGORIES}


class QueueSettings(Section):
    review: str = "triage-review"
    escalation: str = "billing-escalations"
    enterprise: str = "enterprise-support"
    # One queue per category; a category missing here falls back to `other`'s queue.
    categories: dict[str, str] = Field(default_factory=lambda: dict(_DEFAULT_QUEUES))

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown categories {unknown} (known: {', '.join(CATEGORIES)})")
        return {**_DEFAULT_QUEUES, **value}


class RoutingSettings(Section):
    """What routing needs: thresholds and queue names (vouchflow/triage/rules.py)."""

    # Below this confidence a person reviews the classification.
    review_below_confidence: float = Field(default=0.75, ge=0.0, le=1.0)
    # "Urgent billing": a category in `escalation_categories` with an urgency in
    # `escalation_urgencies` goes to the escalation queue (and Jira).
    escalation_categories: list[str] = Field(default_factory=lambda: ["billing"])
    escalation_urgencies: list[str] = Field(default_factory=lambda: ["high"])
    # Plans whose tickets go to the enterprise queue (compared case-insensitively).
    enterprise_plans: list[str] = Field(default_factory=lambda: ["enterprise"])
    queues: QueueSettings = Field(default_factory=QueueSettings)


class ReviewSettings(Section):
    reminder_after: Duration = dt.timedelta(hours=4)
    expire_after: Duration = dt.timedelta(hours=24)
    # Who may confirm or correct. Empty = any person whose signed token verifies
    # (the trusted keys are the list of people).
    reviewers: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    refusals_audited: int = Field(default=20, ge=1, le=1000)
    continue_as_new_after_events: int = Field(default=10_000, ge=100, le=40_000)


class ClassifierSettings(ModelStepSettings):
    """The provider chain and the model-call limits of the classifier."""

    prompt_name: str = "support_ticket_classifier"
    max_input_chars: PositiveInt = 8_000
    token_budget_per_workflow: PositiveInt = 20_000


class CustomerStoreSettings(Section):
    backend: Literal["sqlite", "postgres"] = "sqlite"
    # Recent tickets, charges and invoices loaded per kind.
    history_limit: int = Field(default=5, ge=0, le=50)


class JiraSettings(Section):
    base_url: str = ""
    # Both end up inside JQL and labels: only characters Jira allows there unquoted.
    project_key: str = Field(default="SUP", pattern=r"^[A-Z][A-Z0-9_]{0,49}$")
    issue_type: str = Field(default="Task", min_length=1, max_length=60)
    # Prefix of the label that carries the event id (the search-before-create key).
    label_prefix: str = Field(default="vouchflow-triage", pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    timeout: Duration = dt.timedelta(seconds=20)


class TriageEffectsSettings(Section):
    # Where an escalation issue is created: the local queue table or Jira Cloud.
    escalation: Literal["local", "jira"] = "local"


class TriageSettings(Section):
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    customers: CustomerStoreSettings = Field(default_factory=CustomerStoreSettings)
    effects: TriageEffectsSettings = Field(default_factory=TriageEffectsSettings)
    jira: JiraSettings = Field(default_factory=JiraSettings)


class TriageConfigError(ValueError):
    """The triage configuration cannot work; the message says what to set."""


def load_triage_settings(
    path: Path | None = None, *, env: Mapping[str, str] | None = None
) -> TriageSettings:
    return load_section(
        TriageSettings,
        "triage",
        path,
        env=env,
        overrides={"VOUCHFLOW_TRIAGE_CLASSIFIER": ("classifier", "chain")},
    )


def check_triage_config(settings: TriageSettings, env: Mapping[str, str] = os.environ) -> None:
    """Raise TriageConfigError unless every configured integration can be called
    (run at worker start-up, so a missing secret fails there, not on a ticket)."""
    problems = chain_problems(settings.classifier.chain, "[triage.classifier] chain", env)
    if settings.effects.escalation == "jira":
        if not settings.jira.base_url.startswith(("https://", "http://")):
            problems.append("[triage.jira] base_url must be set, e.g. https://acme.atlassian.net")
        for name in ("JIRA_EMAIL", "JIRA_API_TOKEN"):
            if not env.get(name):
                problems.append(f"[triage.effects] escalation = 'jira' needs {name}")
    if settings.customers.backend == "postgres" and not env.get("VOUCHFLOW_CUSTOMERS_URL"):
        problems.append("[triage.customers] backend = 'postgres' needs VOUCHFLOW_CUSTOMERS_URL")
    if problems:
        raise TriageConfigError("; ".join(problems))
