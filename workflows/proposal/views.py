"""What a tier-change workflow shows: search attributes, current details, notification
text. Pure functions of the state; every published value bounded."""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeUpdate

from schemas.proposal.billing import DryRun
from schemas.proposal.state import ProposalState
from vouchflow.runtime import search_attributes as sa
from vouchflow.stores.redact import clean_text
from workflows.common.bounds import bounded_keyword


def money(minor: int, currency: str) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{currency} {abs(minor) // 100:,}.{abs(minor) % 100:02d}"


def search_attribute_updates(state: ProposalState) -> list[SearchAttributeUpdate[Any]]:
    updates: list[SearchAttributeUpdate[Any]] = [sa.STATUS.value_set(state.status)]
    if state.route is not None:
        updates.append(sa.ROUTE.value_set(bounded_keyword(state.route)))
    if state.prompt_version:
        updates.append(sa.PROMPT_VERSION.value_set(bounded_keyword(state.prompt_version)))
    return updates


def dry_run_lines(dry_run: DryRun) -> list[str]:
    c = dry_run.currency
    when = dry_run.next_invoice_date.date() if dry_run.next_invoice_date else "the next invoice"
    return [
        f"Price: {money(dry_run.old_price_minor, c)} -> {money(dry_run.new_price_minor, c)}"
        " a month",
        f"Proration: {money(dry_run.proration_minor, c)} (as of {dry_run.proration_date.date()})",
        f"Next invoice ({when}): {money(dry_run.next_invoice_total_minor, c)}",
        f"Preview by the {dry_run.system} billing system",
    ]


def summary_lines(state: ProposalState) -> list[str]:
    event = state.event
    lines = [f"Tier change for customer {event.customer.id} ({event.source})"]
    if state.rerun is not None:
        rerun = state.rerun
        lines.append(
            f"Re-run #{rerun.context.number} by {rerun.operator}"
            + (f": {clean_text(rerun.reason, 200)}" if rerun.reason else "")
        )
    proposal = state.result.proposal if state.result is not None else None
    if state.result is not None:
        lines.append(f"Parser: {state.result.parser.label}")
    if proposal is not None:
        lines.append(
            f"Proposed: {proposal.current_tier} -> {proposal.target_tier}"
            f" from {proposal.effective_date.date()}"
        )
        lines.append(f"Why: {clean_text(proposal.justification, 300)}")
    if state.policy is not None:
        lines.append(f"Policy {state.policy.policy_version}: risk {state.policy.risk or 'refused'}")
        lines += [f"- {clean_text(r, 300)}" for r in state.policy.reasons[:6]]
    if state.escalated:
        lines.append(f"Sent to a person: {clean_text(state.escalated, 300)}")
    if state.dry_run is not None:
        lines += dry_run_lines(state.dry_run)
    if state.status_reason:
        lines.append(f"Status: {state.status} ({clean_text(state.status_reason, 300)})")
    return lines


def notification_facts(state: ProposalState) -> dict[str, str]:
    facts = {"Customer": state.event.customer.id}
    proposal = state.result.proposal if state.result is not None else None
    if proposal is not None:
        facts["Change"] = f"{proposal.current_tier} -> {proposal.target_tier}"
        facts["Effective"] = str(proposal.effective_date.date())
    if state.risk is not None:
        facts["Risk"] = state.risk
    if state.dry_run is not None:
        d = state.dry_run
        facts["Proration"] = money(d.proration_minor, d.currency)
        facts["Next invoice"] = money(d.next_invoice_total_minor, d.currency)
    return facts


def current_details(state: ProposalState) -> str:
    return "\n".join(clean_text(line, 400) for line in summary_lines(state))
