"""The `[reconciliation]` section of vouchflow.toml -> ReconciliationPolicy.

Absent section = the documented defaults: tolerance max(1.00, 0.5 %), three-way
matching, no agent (unmatched invoices go to review). The agent is a provider string as
for extraction: `openai:MODEL`, `anthropic:MODEL` or `openai-compatible:MODEL`.
"""

from __future__ import annotations

from typing import Any

from schemas.reconciliation.findings import ReconciliationPolicy
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.settings import Settings

SECTION = "reconciliation"
# Keys of the section that are not policy: where the store lives, and whether the invoice
# workflow reconciles at all (`enabled`, read by vouchflow.invoice.rules.reconcile).
STORE_KEYS = ("dsn", "enabled")


def reconciliation_section(settings: Settings) -> dict[str, Any]:
    raw = settings.integrations.get(SECTION, {})
    return dict(raw) if isinstance(raw, dict) else {}


def load_policy(settings: Settings) -> ReconciliationPolicy:
    section = {k: v for k, v in reconciliation_section(settings).items() if k not in STORE_KEYS}
    policy = ReconciliationPolicy.model_validate(section)
    check_agent(policy.agent)
    return policy


def check_agent(agent: str) -> None:
    """'none' or a model provider; anything else is a configuration error."""
    if agent == "none":
        return
    kind, model = split_provider(agent)
    if kind == "rules" or model is None:
        raise ValueError(f"[reconciliation] agent {agent!r}: use none or PROVIDER:MODEL")
