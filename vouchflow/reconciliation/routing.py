"""What the invoice workflow's routing takes from a reconciliation: nothing when it
matched (the invoice keeps its route), else the sentences a reviewer reads. Fail closed:
a reconciliation that failed sends the invoice to a person too."""

from __future__ import annotations

from schemas.reconciliation.workflow import ReconciliationResult

PREFIX = "purchase order: "


def reconciliation_review_reasons(result: ReconciliationResult) -> list[str]:
    if result.status == "matched":
        return []
    if result.status == "failed":
        return [
            f"{PREFIX}reconciliation failed ({result.reason}); match the invoice to its PO by hand"
        ]
    if result.status == "running":
        return [f"{PREFIX}reconciliation did not finish"]
    reasons = [PREFIX + result.finding.reason]
    if result.proposal is not None and not (
        result.verification is not None and result.verification.verified
    ):
        problems = "; ".join(result.verification.problems) if result.verification else ""
        reasons.append(
            f"{PREFIX}the model proposed PO {result.proposal.po_number}, which code did not"
            f" verify: {problems}"
        )
    elif result.agent is not None and result.agent.stop_reason is not None:
        reasons.append(f"{PREFIX}the agent stopped ({result.agent.stop_reason}): {result.reason}")
    return reasons
