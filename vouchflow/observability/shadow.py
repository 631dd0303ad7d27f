"""Shadow agreement: how often a candidate (prompt version or model) running beside
production gave the production answer.

Two ways to feed `vouchflow_shadow_comparisons_total`, both counting once per run:
write a `shadow.compared` audit record ({"candidate": ..., "agreed": bool}) and the
audit activity counts it, or call `record_shadow_comparison` from the workflow or
activity that compared the answers. Agreement over a window is
agreed="true" / all, per workflow_type and candidate.
"""

from __future__ import annotations

from temporalio import activity, workflow
from temporalio.common import MetricMeter

from vouchflow.observability.audit_metrics import shadow_observation
from vouchflow.observability.metrics import record


def record_shadow_comparison(
    *,
    candidate: str,
    agreed: bool,
    workflow_type: str | None = None,
    meter: MetricMeter | None = None,
) -> None:
    """Count one comparison. Inside a workflow the workflow's meter is used (it skips
    replays, so a replayed run never counts twice); inside an activity the activity's."""
    labelled_by_meter = False
    if meter is None:
        if workflow.in_workflow():
            # The workflow's meter labels workflow_type itself.
            meter, labelled_by_meter = workflow.metric_meter(), True
        elif activity.in_activity():
            meter = activity.metric_meter()
            workflow_type = workflow_type or activity.info().workflow_type or ""
        else:
            raise RuntimeError("no meter: pass one outside a workflow or activity")
    obs = shadow_observation(workflow_type or "", {"candidate": candidate, "agreed": agreed})
    if labelled_by_meter:
        obs.attributes.pop("workflow_type")
    record(meter, [obs])
