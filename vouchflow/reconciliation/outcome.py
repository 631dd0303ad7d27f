"""Reconciliation results from what code decided or what the loop ended with."""

from __future__ import annotations

from schemas.reconciliation.findings import Finding, MatchOutcome
from schemas.reconciliation.workflow import AgentSummary, ReconciliationResult
from vouchflow.reconciliation.loop import LoopEnd


def decided_by_code(outcome: MatchOutcome) -> ReconciliationResult:
    finding = outcome.finding
    matched = finding.kind == "matched"
    return ReconciliationResult(
        status="matched" if matched else "escalated",
        decided_by="code",
        finding=finding,
        findings=outcome.findings,
        po_number=finding.po_number,
        reason=finding.reason,
    )


def undecided_without_agent(outcome: MatchOutcome) -> ReconciliationResult:
    """Embedded default: no agent, so what code cannot decide goes to a person."""
    return ReconciliationResult(
        status="escalated",
        decided_by="nobody",
        finding=outcome.finding,
        findings=outcome.findings,
        reason=f"code could not decide ({outcome.finding.reason}) and no agent is configured",
    )


def from_loop(outcome: MatchOutcome, end: LoopEnd, summary: AgentSummary) -> ReconciliationResult:
    found = f"; POs it looked at: {', '.join(end.seen_pos[:10])}" if end.seen_pos else ""
    if end.matched and end.verification is not None and end.proposal is not None:
        finding = Finding(
            kind="matched",
            po_number=end.verification.po_number,
            reason=(
                f"PO {end.verification.po_number} proposed by the model"
                f" ({end.proposal.explanation[:300]}) and verified by code: "
                + "; ".join(end.verification.passed)
            ),
        )
        return ReconciliationResult(
            status="matched",
            decided_by="agent",
            finding=finding,
            findings=[*outcome.findings, finding],
            po_number=end.verification.po_number,
            proposal=end.proposal,
            verification=end.verification,
            agent=summary,
            reason=finding.reason,
        )
    return ReconciliationResult(
        status="failed" if end.failed else "escalated",
        decided_by="agent",
        finding=outcome.finding,
        findings=outcome.findings,
        proposal=end.proposal,
        verification=end.verification,
        agent=summary,
        reason=end.detail + found,
    )
