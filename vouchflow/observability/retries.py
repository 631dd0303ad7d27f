"""Retry rate: every activity execution counted, the ones Temporal retried apart.

Temporal owns retries (SDK clients never retry), so an attempt number above 1 is the
one place a retry shows. `vouchflow_activity_attempts_total{retry="true"}` over all
executions is the retry rate, per workflow_type and activity_type.
"""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from vouchflow.observability.metrics import ACTIVITY_ATTEMPTS, counter, record


class _CountingActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        try:
            # The activity meter labels namespace, task_queue and activity_type itself.
            labels = {
                "workflow_type": info.workflow_type or "",
                "retry": "true" if info.attempt > 1 else "false",
            }
            record(activity.metric_meter(), [counter(ACTIVITY_ATTEMPTS, labels)])
        except RuntimeError:
            pass  # no meter (a sync activity in another process): nothing to count into
        return await self.next.execute_activity(input)


class RetryCountingInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CountingActivityInbound(next)
