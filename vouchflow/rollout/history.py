"""What the earlier runs of a workflow left behind, read from its audit trail alone:
the facts a re-run needs to keep every effect exactly once."""

from __future__ import annotations

from schemas.common.audit import AuditRecord
from schemas.common.rollout import RerunContext

# Records the command line writes for a workflow (no run of its own).
CLI_RUN_ID = "cli"


def rerun_context(trail: list[AuditRecord], *, current_run_id: str) -> RerunContext:
    runs: list[str] = []
    versions: list[str] = []
    effects: list[str] = []
    status: str | None = None
    live_bill: str | None = None
    submitter: str | None = None
    reruns = 0
    for record in trail:
        if record.run_id in (current_run_id, CLI_RUN_ID):
            continue
        if record.run_id not in runs:
            runs.append(record.run_id)
        payload = record.payload
        if record.type == "rerun.started":
            reruns += 1
        elif record.type == "prompt.resolved":
            versions.append(f"{payload.get('name')}@{payload.get('version')}")
        elif record.type == "workflow.finished":
            status = str(payload.get("status"))
        elif record.type == "submission.verified" and payload.get("submitter"):
            submitter = str(payload["submitter"])
        elif record.type == "effect.outcome" and payload.get("status") == "done":
            effect = str(payload.get("effect"))
            if effect not in effects:
                effects.append(effect)
            if effect == "post_draft_bill":
                live_bill = str(payload.get("ref") or "") or None
            elif effect == "revert_draft_bill":
                live_bill = None
    return RerunContext(
        number=reruns + 1,
        previous_run_ids=runs,
        previous_prompt_versions=versions,
        previous_status=status,
        previous_effects=effects,
        live_bill_id=live_bill,
        proven_submitter=submitter,
    )
