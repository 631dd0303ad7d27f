"""The part of the `[triage]` configuration a triage workflow runs by.

Loaded once per workflow by an activity, so the values are fixed in history: a
configuration change affects new tickets, never a replay.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from vouchflow.triage.settings import (
    ClassifierSettings,
    CustomerStoreSettings,
    JiraSettings,
    ReviewSettings,
    RoutingSettings,
)


class TriagePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    routing: RoutingSettings
    review: ReviewSettings
    classifier: ClassifierSettings
    customers: CustomerStoreSettings
    escalation: Literal["local", "jira"]
    jira: JiraSettings
