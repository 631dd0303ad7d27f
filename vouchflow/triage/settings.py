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
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.triage.classification import CATEGORIES
from vouchflow.settings.config import DEFAULT_CONFIG, Duration

_DEFAULT_QUEUES = {category: f"support-{category.replace('_', '-')}" for category in CATEGORIES}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueSettings(_Section):
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


class RoutingSettings(_Section):
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


class ReviewSettings(_Section):
    reminder_after: Duration = dt.timedelta(hours=4)
    expire_after: Duration = dt.timedelta(hours=24)
    # Who may confirm or correct. Empty = any person whose signed token verifies
    # (the trusted keys are the list of people).
    reviewers: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    refusals_audited: int = Field(default=20, ge=1, le=1000)
    continue_as_new_after_events: int = Field(default=10_000, ge=100, le=40_000)


class ClassifierSettings(_Section):
    """The provider chain and the model-call limits of the classifier."""

    # Like [extraction] extractor: rules | openai:MODEL | anthropic:MODEL |
    # openai-compatible:MODEL, or a comma list tried in order (fallback chain).
    chain: str = "rules"
    prompt_name: str = "support_ticket_classifier"
    prompt_label: str = "production"
    # A ticket longer than this is cut before a model sees it (recorded in the notes).
    max_input_chars: int = Field(default=8_000, gt=0)
    max_output_tokens: int = Field(default=512, gt=0)
    token_budget_per_workflow: int = Field(default=20_000, gt=0)
    timeout: Duration = dt.timedelta(seconds=30)


class CustomerStoreSettings(_Section):
    backend: Literal["sqlite", "postgres"] = "sqlite"
    # Recent tickets, charges and invoices loaded per kind.
    history_limit: int = Field(default=5, ge=0, le=50)


class JiraSettings(_Section):
    base_url: str = ""
    # Both end up inside JQL and labels: only characters Jira allows there unquoted.
    project_key: str = Field(default="SUP", pattern=r"^[A-Z][A-Z0-9_]{0,49}$")
    issue_type: str = Field(default="Task", min_length=1, max_length=60)
    # Prefix of the label that carries the event id (the search-before-create key).
    label_prefix: str = Field(default="vouchflow-triage", pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    timeout: Duration = dt.timedelta(seconds=20)


class TriageEffectsSettings(_Section):
    # Where an escalation issue is created: the local queue table or Jira Cloud.
    escalation: Literal["local", "jira"] = "local"


class TriageSettings(_Section):
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
    environ = os.environ if env is None else env
    config_path = path or Path(environ.get("VOUCHFLOW_CONFIG", str(DEFAULT_CONFIG)))
    raw: dict[str, Any] = {}
    if config_path.exists():
        raw = tomllib.loads(config_path.read_text(encoding="utf-8")).get("triage", {})
    if environ.get("VOUCHFLOW_TRIAGE_CLASSIFIER"):
        raw = {
            **raw,
            "classifier": {
                **raw.get("classifier", {}),
                "chain": environ["VOUCHFLOW_TRIAGE_CLASSIFIER"],
            },
        }
    return TriageSettings.model_validate(raw)


def check_triage_config(settings: TriageSettings, env: Mapping[str, str] = os.environ) -> None:
    """Raise TriageConfigError unless every configured integration can be called
    (run at worker start-up, so a missing secret fails there, not on a ticket)."""
    from vouchflow.invoice.extraction.factory import ConfigError, parse_chain, split_provider

    problems: list[str] = []
    try:
        chain = parse_chain(settings.classifier.chain)
    except ConfigError as err:
        problems.append(f"[triage.classifier] chain: {err}")
        chain = []
    needs = {
        "openai": "OPENAI_API_KEY",
        "anthropic": "ANTHROPIC_API_KEY",
        "openai-compatible": "OPENAI_BASE_URL",
    }
    for provider in chain:
        kind, _ = split_provider(provider)
        if kind in needs and not env.get(needs[kind]):
            problems.append(f"[triage.classifier] chain uses {provider}, which needs {needs[kind]}")
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
