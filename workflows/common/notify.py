"""Notifications as audited effects that never stop a workflow."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.effects import Notification, NotificationReceipt
    from workflows.common.failures import failure_message
    from workflows.common.options import NOTIFY
    from workflows.common.trail import AuditTrail


async def send_notification(
    trail: AuditTrail, notification: Notification
) -> NotificationReceipt | None:
    """Intent, send, outcome. A failed notification is recorded and audited, not raised."""
    effect = f"notify.{notification.kind}"
    await trail.intent(effect, {"idempotency_key": notification.idempotency_key})
    try:
        receipt = await workflow.execute_activity(
            "send_notification", notification, result_type=NotificationReceipt, **NOTIFY
        )
    except ActivityError as err:
        await trail.outcome(effect, "failed", failure_message(err))
        return None
    await trail.outcome(effect, "done", f"via {receipt.notifier}", ref=receipt.ref)
    return receipt
