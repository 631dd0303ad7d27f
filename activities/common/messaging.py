"""Sending notifications and email: the same two effects for every workflow."""

from __future__ import annotations

from temporalio import activity

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from schemas.common.effects import EmailMessage, EmailReceipt, Notification, NotificationReceipt
from vouchflow.mailer.base import EmailError
from vouchflow.notifiers.base import NotifierError


class MessagingActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="send_notification")
    async def send_notification(self, notification: Notification) -> NotificationReceipt:
        try:
            return await self._deps.notifier.notify(notification)
        except NotifierError as err:
            raise to_application_error(err) from err

    @activity.defn(name="send_email")
    async def send_email(self, message: EmailMessage) -> EmailReceipt:
        try:
            return await self._deps.email.send(message)
        except EmailError as err:
            raise to_application_error(err) from err
