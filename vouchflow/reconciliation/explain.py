"""`explain` lines for a reconciliation, from its audit trail alone: what code found,
each step of the agent loop (model turns and tool calls with their input, output, latency,
tokens and status), the proposal and its verification, and how it ended.

Called with the trail of `reconciliation_workflow_id(invoice_workflow_id)`."""

from __future__ import annotations

import json
from typing import Any

from schemas.common.audit import AuditRecord
from vouchflow.runtime.errors import one_line


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain_reconciliation(trail: list[AuditRecord]) -> list[str]:
    if not trail:
        return []
    out = ["Reconciliation (purchase-order matching):"]
    for record in trail:
        p = record.payload
        if record.type in ("reconciliation.matched_by_code", "reconciliation.undecided"):
            finding = p.get("finding", {})
            decided = record.type == "reconciliation.matched_by_code"
            out.append(
                f"  code {'decided' if decided else 'could not decide'}:"
                f" {finding.get('kind')}: {_short(finding.get('reason', ''), 300)}"
            )
            if p.get("references"):
                out.append(f"  PO numbers printed: {', '.join(p['references'])}")
        elif record.type == "reconciliation.agent_started":
            out.append(
                f"  agent {p.get('provider')} (prompt v{p.get('prompt_version')}), at most"
                f" {p.get('max_iterations')} turns, {p.get('token_budget')} tokens,"
                f" {p.get('wall_clock_limit_s')} s"
            )
        elif record.type == "reconciliation.step":
            what = p.get("tool") or "model"
            out.append(
                f"  {p.get('step'):>3}. {p.get('type')} {what} [{p.get('status')}]"
                f" {p.get('latency_ms', 0)} ms, {p.get('tokens', 0)} tokens"
            )
            if p.get("type") == "tool_call" and p.get("input"):
                out.append(f"       input: {_short(p['input'])}")
            out.append(f"       {_short(p.get('output_summary', ''), 300)}")
        elif record.type == "reconciliation.finished":
            agent = p.get("agent") or {}
            out.append(
                f"  result: {p.get('status')} (decided by {p.get('decided_by')})"
                + (f", PO {p['po_number']}" if p.get("po_number") else "")
                + f": {_short(p.get('reason', ''), 400)}"
            )
            if agent:
                out.append(
                    f"  agent: {agent.get('iterations')} turn(s), {agent.get('tool_calls')} tool"
                    f" call(s), {agent.get('tokens')} tokens, cost"
                    f" {int(agent.get('cost_micro_usd') or 0) / 1_000_000:.6f} USD,"
                    f" stopped: {agent.get('stop_reason')}"
                )
            verification = p.get("verification")
            if verification:
                for line in verification.get("problems", []):
                    out.append(f"  verification failed: {_short(line, 300)}")
    return out
