"""`explain` from the audit trail and the blob store alone: it answers the same months
later, after Temporal's retention dropped the run or the server was rebuilt.

Shown: every run of the workflow (re-runs included), the input and where it is kept, the
rollout stage, the prompt name and version, the model and its settings, a reference to
the exact input the model saw, its raw answer (stored redacted), the parsed output, every
check, the confidence signals, each decision and who made it (with its proof), each
effect, the shadow candidate's agreement, and how to roll back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from schemas.common.audit import AuditRecord
from schemas.common.money import format_minor
from vouchflow.reconciliation.explain import explain_reconciliation
from vouchflow.runtime.errors import one_line

RAW_ANSWER_CHARS = 1_500
CHECK_GROUPS = {
    "required": "required fields",
    "currency": "currency",
    "arithmetic": "arithmetic (lines, subtotal, tax, total)",
    "tax": "VAT / tax rates",
    "date": "dates",
    "duplicate": "duplicates",
}
BlobReader = Callable[[str], str | None]


def _one(text: str, limit: int = 500) -> str:
    return one_line(text)[:limit]


def check_lines(findings: Sequence[tuple[str, str, str]]) -> list[str]:
    """The "Checks:" block from each finding's (code, severity, one-line message): every
    group of checks passed or its problems, then findings outside the groups."""
    out = ["", "Checks:"]
    for prefix, label in CHECK_GROUPS.items():
        problems = [f for f in findings if f[0].startswith(prefix)]
        if not problems:
            out.append(f"  passed  {label}")
        for _, severity, message in problems:
            out.append(f"  {severity:<7} {label}: {message}")
    out += [
        f"  {severity:<7} {code}: {message}"
        for code, severity, message in findings
        if code.split(".")[0] not in CHECK_GROUPS
    ]
    return out


def _money(amount: Any, currency: Any) -> str:
    if not isinstance(amount, int) or not currency:
        return "-"
    return format_minor(amount, str(currency))


def _runs(trail: list[AuditRecord]) -> list[str]:
    runs: list[str] = []
    for r in trail:
        if r.run_id != "cli" and r.run_id not in runs:
            runs.append(r.run_id)
    return runs


def explain_from_audit(
    workflow_id: str,
    trail: list[AuditRecord],
    *,
    read_blob: BlobReader,
    related: dict[str, list[AuditRecord]] | None = None,
    chain_ok: bool | None = None,
) -> list[str]:
    """The whole answer; `related` holds the trails of the children it names (shadow
    candidates, reconciliation)."""
    runs = _runs(trail)
    latest = runs[-1] if runs else None
    mine = [r for r in trail if r.run_id == latest]
    earlier = [r for r in trail if r.run_id not in (latest, "cli")]
    finished = [r for r in mine if r.type == "workflow.finished"]
    if finished:
        status = f"{finished[-1].payload.get('status')}: {finished[-1].payload.get('reason', '')}"
    else:
        status = f"in progress (last record {mine[-1].type})" if mine else "no run recorded"
    out = [f"Why {workflow_id} is {_one(status)}", ""]
    out.append(
        f"Runs: {len(runs)}"
        + (
            f" (this answer is about the latest, {latest}; earlier: {', '.join(runs[:-1])})"
            if len(runs) > 1
            else f" ({latest})"
        )
    )
    for r in trail:
        if r.type == "rerun.requested":
            p = r.payload
            out.append(
                f"  re-run requested {r.created_at:%Y-%m-%d %H:%M:%S} by {p.get('operator')}"
                f" ({p.get('channel')}, token {p.get('token_id')}) after prompt version"
                f" {p.get('prompt_version')}: {_one(str(p.get('reason') or '-'))}"
            )
    for r in earlier:
        if r.type == "workflow.finished":
            out.append(
                f"  earlier run {r.run_id} ended {r.payload.get('status')}:"
                f" {_one(str(r.payload.get('reason', '')))}"
            )
    out += _input(mine)
    out += _model(mine, read_blob)
    out += _checks(mine)
    out += _shadow(mine, related or {})
    out += _reconciliation(mine, related or {})
    out += _decisions(mine)
    out += _effects(mine)
    out += ["", f"Audit trail: {len(trail)} record(s)"]
    if chain_ok is not None:
        out.append(
            f"  hash chain {'intact' if chain_ok else 'BROKEN - run: starter.py audit verify'}"
        )
    out.append(f"  full trail: .venv/bin/python starter.py audit show {workflow_id}")
    out += _rollback(workflow_id, mine)
    return out


def _first(records: list[AuditRecord], type_: str) -> dict[str, Any] | None:
    return next((r.payload for r in records if r.type == type_), None)


def _input(mine: list[AuditRecord]) -> list[str]:
    out: list[str] = [""]
    started = _first(mine, "workflow.started")
    event = started.get("event") if started else None
    if isinstance(event, dict) and "document_sha256" in event:
        out.append(
            f"Input: {event.get('filename')} ({event.get('size_bytes', 0):,} bytes), kept in the"
            f" blob store as sha256 {event.get('document_sha256')}; submitted by"
            f" {event.get('submitted_by')} via {event.get('source')} at {event.get('received_at')}"
        )
    elif isinstance(event, dict) and isinstance(event.get("ticket"), dict):
        ticket = event["ticket"]
        out.append(
            f"Event: {event.get('event')} {event.get('event_id')} at {event.get('created_at')}"
        )
        out.append(
            f"Ticket {ticket.get('id')} ({ticket.get('channel')}, {ticket.get('language')}):"
            f" {_one(str(ticket.get('subject', '')), 200)}"
            f" [{len(str(ticket.get('body', '')))} characters]"
        )
    submitter = _first(mine, "submission.verified")
    if submitter:
        out.append(f"  submitter proven: {submitter.get('submitter')}")
    pinned = _first(mine, "rollout.pinned")
    if pinned:
        line = f"Rollout stage: {pinned.get('stage')}"
        if pinned.get("candidate_provider"):
            line += f" (candidate {pinned.get('candidate_provider')}"
            if pinned.get("candidate_prompt_version"):
                name = pinned.get("candidate_prompt_name")
                line += f", prompt {name}@{pinned.get('candidate_prompt_version')}"
            line += ")"
        if pinned.get("set_by"):
            line += f", set by {pinned.get('set_by')}"
        out.append(line)
    else:
        out.append("Rollout stage: full (the run started before rollout stages)")
    rerun = _first(mine, "rerun.started")
    if rerun:
        out.append(
            f"Re-run by {rerun.get('operator')} ({rerun.get('channel')}) after prompt version"
            f" {rerun.get('prompt_version')}: {_one(str(rerun.get('reason') or '-'))}"
        )
    return out


def _attempt_lines(attempts: list[Any], read_blob: BlobReader) -> list[str]:
    out: list[str] = []
    for a in attempts:
        if not isinstance(a, dict):
            continue
        verdict = "valid" if a.get("ok") else "invalid: " + "; ".join(a.get("errors") or [])[:200]
        out.append(
            f"  attempt {a.get('attempt')} ({a.get('provider')}, {a.get('model')}): {verdict}"
        )
        if a.get("input_ref"):
            out.append(f"    input the model saw: blob {a['input_ref']} (prompt + document, exact)")
        ref = a.get("raw_output_ref")
        if ref:
            raw = read_blob(str(ref))
            shown = "(missing from the blob store)" if raw is None else raw[:RAW_ANSWER_CHARS]
            out.append(f"    raw answer (redacted, blob {ref}): {_one(shown, RAW_ANSWER_CHARS)}")
        elif a.get("raw_output_sha256"):
            out.append(f"    raw answer: sha256 {a['raw_output_sha256']} (not stored)")
    return out


def _model(mine: list[AuditRecord], read_blob: BlobReader) -> list[str]:
    out: list[str] = []
    prompt = _first(mine, "prompt.resolved")
    if prompt:
        out += [
            "",
            f"Prompt: {prompt.get('name')} version {prompt.get('version')} (label"
            f" {prompt.get('label')}, model {prompt.get('model')})",
        ]
    for r in mine:
        if r.type in ("extraction.provider_failed", "classification.provider_failed"):
            out.append(
                f"  {r.payload.get('provider')}: failed ({_one(str(r.payload.get('reason')))})"
            )
    done = _first(mine, "extraction.completed")
    if done:
        info = done.get("extractor") or {}
        out += [
            "",
            f"Proposed by: {info.get('name')}"
            + (f", model {info.get('model')}" if info.get("model") else ""),
        ]
        if info.get("prompt_name"):
            out[-1] += f", prompt {info.get('prompt_name')} v{info.get('prompt_version')}"
        if info.get("settings"):
            out.append(f"  settings: {json.dumps(info['settings'], sort_keys=True)}")
        if done.get("document_text_ref"):
            out.append(f"  input: the document text, blob {done['document_text_ref']}")
        usage = done.get("usage") or {}
        if usage.get("input_tokens") or usage.get("output_tokens"):
            out.append(
                f"  usage: {usage.get('input_tokens')} in / {usage.get('output_tokens')} out"
                f" tokens, cost {int(usage.get('cost_micro_usd') or 0) / 1_000_000:.6f} USD"
            )
        out += _attempt_lines(done.get("attempts") or [], read_blob)
        inv = done.get("invoice") or {}
        out.append(
            f"  returned: supplier {inv.get('supplier_name')!r},"
            f" number {inv.get('invoice_number')!r},"
            f" issued {inv.get('issue_date')}, due {inv.get('due_date')},"
            f" total {_money(inv.get('total_minor'), inv.get('currency'))},"
            f" {len(inv.get('line_items') or [])} line(s)"
        )
        out += [f"  injection flag: {_one(str(f), 160)}" for f in done.get("injection_flags") or []]
    classified = _first(mine, "classification.completed")
    if classified:
        info = classified.get("classifier") or {}
        c = classified.get("classification") or {}
        out += ["", "Classification:", f"  decided by: {info.get('label')}"]
        if info.get("prompt_name"):
            out.append(f"  prompt: {info.get('prompt_name')} v{info.get('prompt_version')}")
        if info.get("model"):
            settings = json.dumps(info.get("settings") or {}, sort_keys=True)
            out.append(f"  model: {info.get('model')}; settings {settings}")
        out += _attempt_lines(classified.get("attempts") or [], read_blob)
        out.append(
            f"  returned: {c.get('category')}, urgency {c.get('urgency')}, confidence"
            f" {float(c.get('confidence') or 0):.2f} - {_one(str(c.get('reason', '')))}"
        )
        out += [
            f"  injection flag: {_one(str(f), 160)}"
            for f in classified.get("injection_flags") or []
        ]
    return out


def _checks(mine: list[AuditRecord]) -> list[str]:
    out: list[str] = []
    for r in mine:
        if r.type == "template.checked":
            out.append(f"Supplier template: {_one(json.dumps(r.payload)[:300], 300)}")
    routed = [r.payload for r in mine if r.type == "decision.routed"]
    for payload in routed:
        if "findings" in payload:  # an invoice
            out += check_lines(
                [
                    (str(f.get("code", "")), str(f.get("severity")), _one(str(f.get("message"))))
                    for f in payload.get("findings") or []
                ]
            )
            confidence = payload.get("confidence") or {}
            out += ["", f"Confidence {confidence.get('score')}/100 from:"]
            for s in confidence.get("signals") or []:
                out.append(
                    f"  {s.get('name'):<22} {float(s.get('value', 0)):.2f} x weight"
                    f" {float(s.get('weight', 0)):g}  {s.get('detail', '')}"
                )
            out += ["", f"Route: {payload.get('route')} (stage {payload.get('stage', 'full')})"]
            out += [f"  because {_one(str(x))}" for x in payload.get("reasons") or []]
        else:  # a ticket
            route = payload.get("route") or {}
            out += [
                "",
                f"Routing ({payload.get('step')}, stage {payload.get('stage', 'full')}):"
                f" {route.get('route')} -> {route.get('queue')}",
            ]
            out += [f"    - {_one(str(x))}" for x in route.get("reasons") or []]
    return out


def _reconciliation(mine: list[AuditRecord], related: dict[str, list[AuditRecord]]) -> list[str]:
    """The purchase-order match: the child's own trail (the loop, step by step), else what
    the routing record kept of its result."""
    out: list[str] = []
    for r in mine:
        if r.type != "reconciliation.requested":
            continue
        child = str(r.payload.get("child_workflow_id"))
        lines = explain_reconciliation(related.get(child, []))
        if lines:
            out += ["", f"{lines[0]} (child {child})", *lines[1:]]
            continue
        routed = _first(mine, "decision.routed") or {}
        kept = routed.get("reconciliation") or {}
        finding = kept.get("finding") or {}
        out += ["", f"Reconciliation (purchase-order matching) (child {child}):"]
        if kept:
            out.append(
                f"  result: {kept.get('status')} (decided by {kept.get('decided_by')}):"
                f" {finding.get('kind')}: {_one(str(finding.get('reason', '')), 300)}"
            )
        else:
            out.append("  no result recorded (yet)")
    return out


def _shadow(mine: list[AuditRecord], related: dict[str, list[AuditRecord]]) -> list[str]:
    out: list[str] = []
    for r in mine:
        if r.type != "shadow.started":
            continue
        child = str(r.payload.get("child_workflow_id"))
        out += ["", f"Shadow candidate {r.payload.get('candidate_provider')} (child {child}):"]
        compared = [c.payload for c in related.get(child, []) if c.type == "shadow.compared"]
        if not compared:
            out.append("  no comparison recorded (yet)")
        for p in compared:
            comparison = p.get("comparison") or {}
            if not p.get("ok"):
                out.append(f"  failed: {_one(str(p.get('failure')))}")
                continue
            verdict = "agrees" if comparison.get("agree") else "disagrees"
            out.append(
                f"  {verdict} with production on {comparison.get('agreed_fields')}/"
                f"{comparison.get('compared_fields')} field(s); acted on nothing"
            )
            for f in comparison.get("fields") or []:
                if not f.get("agree"):
                    out.append(
                        f"    {f.get('field')}: production {f.get('production')!r},"
                        f" candidate {f.get('candidate')!r}"
                    )
            if comparison.get("route_agrees") is not None:
                out.append(
                    f"    route: production {comparison.get('production_route')},"
                    f" candidate {comparison.get('candidate_route')}"
                )
    return out


def _decisions(mine: list[AuditRecord]) -> list[str]:
    out = ["", "Decisions:"]
    for r in mine:
        p = r.payload
        if r.type in ("decision.approved", "decision.rejected", "decision.refused") or (
            r.type.startswith("decision.") and "actor" in p and "accepted" in p
        ):
            verdict = "accepted" if p.get("accepted") else "refused"
            line = (
                f"  {r.created_at:%Y-%m-%d %H:%M:%S} {p.get('kind')} by {p.get('actor')}"
                f" ({p.get('channel') or '-'}) {verdict}: {_one(str(p.get('reason', '')))}"
            )
            if p.get("comment"):
                line += f" - {p['comment']!r}"
            if p.get("corrections"):
                line += f" corrections {json.dumps(p['corrections'])}"
            if p.get("proof"):
                line += f" [proof {p['proof']}]"
            out.append(line)
        elif r.type == "classification.corrected":
            o, c = p.get("original") or {}, p.get("corrected") or {}
            out.append(
                f"  correction stored: {o.get('category')}/{o.get('urgency')} ->"
                f" {c.get('category')}/{c.get('urgency')} by {p.get('reviewer')} ({p.get('proof')})"
            )
        elif r.type == "email.cancelled":
            out.append(f"  email cancelled by {p.get('by')}: {_one(str(p.get('reason')))}")
        elif r.type == "effect.intent" and p.get("effect") == "revert_draft_bill":
            out.append(f"  revert of bill {p.get('bill_id')} by {p.get('by')}")
    if len(out) == 2:
        out.append("  none (no person was needed)")
    return out


def _effects(mine: list[AuditRecord]) -> list[str]:
    out = ["", "Side effects:"]
    for r in mine:
        if r.type == "effect.outcome":
            p = r.payload
            out.append(
                f"  {r.created_at:%Y-%m-%d %H:%M:%S} {p.get('effect')}: {p.get('status')}"
                f" {_one(str(p.get('detail', '')))}"
                + (f" [{p.get('ref')}]" if p.get("ref") else "")
            )
    if len(out) == 2:
        out.append("  none")
    return out


def _rollback(workflow_id: str, mine: list[AuditRecord]) -> list[str]:
    out = ["", "How to roll back:"]
    bill: str | None = None
    for r in mine:
        if r.type == "effect.outcome" and r.payload.get("status") == "done":
            if r.payload.get("effect") == "post_draft_bill":
                bill = str(r.payload.get("ref"))
            elif r.payload.get("effect") == "revert_draft_bill":
                bill = None
    finished = any(r.type == "workflow.finished" for r in mine)
    if bill and not finished:
        out.append(f"  delete the draft: .venv/bin/python starter.py revert {workflow_id}")
    elif bill:
        out.append(f"  the revert window has closed: delete draft bill {bill} in the destination")
    elif any(
        r.type == "effect.outcome" and r.payload.get("effect") == "store_decision" for r in mine
    ):
        out.append("  this ticket's route: move it in the triage store's queue table")
    else:
        out.append("  nothing to undo: no draft bill exists")
    prompt = _first(mine, "prompt.resolved")
    if prompt:
        name, version = prompt.get("name"), prompt.get("version")
        out.append(f"  a bad prompt version: .venv/bin/python starter.py prompt rollback {name}")
        out.append(
            f"  then re-run what it decided: .venv/bin/python starter.py rerun"
            f" --prompt-version {name}@{version} --as OPERATOR"
        )
    return out
