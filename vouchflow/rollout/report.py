"""Shadow agreement, summed from the `shadow.compared` audit records: per workflow and
candidate, how many comparisons, how many agreed on every field, each field's agreement,
and (tickets) how often both answers would have been routed alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from schemas.common.audit import AuditRecord


@dataclass
class AgreementRow:
    workflow: str
    candidate: str
    compared: int = 0
    agreed: int = 0
    failed: int = 0
    field_agreed: dict[str, int] = field(default_factory=dict)
    field_compared: dict[str, int] = field(default_factory=dict)
    routes_compared: int = 0
    routes_agreed: int = 0
    tokens: int = 0
    cost_micro_usd: int = 0

    @property
    def rate(self) -> float | None:
        return self.agreed / self.compared if self.compared else None

    def field_rate(self, name: str) -> float | None:
        seen = self.field_compared.get(name, 0)
        return self.field_agreed.get(name, 0) / seen if seen else None


def shadow_agreement(records: Iterable[AuditRecord]) -> list[AgreementRow]:
    rows: dict[tuple[str, str], AgreementRow] = {}
    for record in records:
        if record.type != "shadow.compared":
            continue
        p = record.payload
        key = (str(p.get("workflow", "?")), str(p.get("candidate", "?")))
        row = rows.setdefault(key, AgreementRow(workflow=key[0], candidate=key[1]))
        row.tokens += int(p.get("tokens") or 0)
        row.cost_micro_usd += int(p.get("cost_micro_usd") or 0)
        comparison = p.get("comparison")
        if not p.get("ok") or not isinstance(comparison, dict):
            row.failed += 1
            continue
        row.compared += 1
        row.agreed += 1 if comparison.get("agree") else 0
        for f in comparison.get("fields") or []:
            name = str(f.get("field"))
            row.field_compared[name] = row.field_compared.get(name, 0) + 1
            row.field_agreed[name] = row.field_agreed.get(name, 0) + (1 if f.get("agree") else 0)
        if comparison.get("route_agrees") is not None:
            row.routes_compared += 1
            row.routes_agreed += 1 if comparison["route_agrees"] else 0
    return sorted(rows.values(), key=lambda r: (r.workflow, r.candidate))


def agreement_lines(rows: list[AgreementRow]) -> list[str]:
    if not rows:
        return ["no shadow comparisons yet: set a shadow stage (`rollout set ... shadow`)"]
    out: list[str] = []
    for row in rows:
        rate = f"{row.rate:.0%}" if row.rate is not None else "-"
        out.append(
            f"{row.workflow}: candidate {row.candidate}: {row.agreed}/{row.compared} agreed"
            f" on every field ({rate}); {row.failed} candidate run(s) failed;"
            f" {row.tokens} tokens, {row.cost_micro_usd / 1_000_000:.6f} USD"
        )
        for name in sorted(row.field_compared):
            agreed, seen = row.field_agreed.get(name, 0), row.field_compared[name]
            out.append(f"  {name:<16} {agreed}/{seen} ({agreed / seen:.0%})")
        if row.routes_compared:
            out.append(
                f"  {'route':<16} {row.routes_agreed}/{row.routes_compared}"
                f" ({row.routes_agreed / row.routes_compared:.0%})"
            )
    return out
