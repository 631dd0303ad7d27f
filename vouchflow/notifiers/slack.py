"""Slack as the notifier: Block Kit messages through slack_sdk's AsyncWebClient.

Slack has no idempotency for chat.postMessage, so the receipt ("channel:ts") is
kept in workflow state and a later decision updates that same message. Retries
belong to Temporal: the client's own retry handlers are off, and failures are
classified into `NotifierError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, field_validator
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from schemas.common.effects import Notification, NotificationReceipt
from vouchflow.identity.keys import check_id
from vouchflow.notifiers.base import NotifierError
from vouchflow.notifiers.slack_blocks import build_blocks, fallback_text
from vouchflow.retry_after import parse_retry_after
from vouchflow.settings.config import Duration

DEFAULT_API_URL = "https://slack.com/api/"

# Errors retrying cannot fix (configuration, permissions, a bad message).
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "invalid_arguments",
        "restricted_action",
        "ekm_access_denied",
    }
)
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class SlackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_channels: list[str] = Field(default_factory=list)
    # Slack user id -> person id, for button clicks (used by the gateway). A click from
    # a user not listed here is refused: a Slack account is never an identity by itself.
    users: dict[str, str] = Field(default_factory=dict)
    # Older name of `users`, still read.
    reviewers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration = dt.timedelta(seconds=10)

    @field_validator("users", "reviewers")
    @classmethod
    def _person_ids(cls, value: dict[str, str]) -> dict[str, str]:
        return {str(slack_id).strip(): check_id(person) for slack_id, person in value.items()}

    def person_for(self, slack_user_id: str) -> str | None:
        """The person a Slack user id is mapped to, else None."""
        return self.users.get(slack_user_id) or self.reviewers.get(slack_user_id)

    @classmethod
    def from_integrations(cls, integrations: Mapping[str, Any]) -> SlackSettings:
        return cls.model_validate(integrations.get("slack", {}))


def parse_refs(ref: str) -> list[tuple[str, str]]:
    """'C1:ts1,C2:ts2' -> [(C1, ts1), (C2, ts2)]."""
    pairs = []
    for part in ref.split(","):
        channel, sep, ts = part.strip().partition(":")
        if not sep or not channel or not ts:
            raise NotifierError(f"not a Slack message reference: {part!r}", retryable=False)
        pairs.append((channel, ts))
    return pairs


class SlackNotifier:
    name = "slack"

    def __init__(
        self,
        settings: SlackSettings,
        token: str,
        *,
        api_url: str | None = None,
        review_channels: list[str] | None = None,
    ) -> None:
        self.settings = settings
        self._review_channels = review_channels or []
        self._client = AsyncWebClient(
            token=token,
            base_url=api_url or DEFAULT_API_URL,
            timeout=max(1, int(settings.timeout.total_seconds())),
            retry_handlers=[],
        )
        # Guards against a second post for the same key from this process (an
        # activity retried after a post succeeded but its result was lost).
        self._posted: dict[str, str] = {}

    @classmethod
    def from_env(
        cls,
        settings: SlackSettings,
        env: Mapping[str, str],
        *,
        review_channels: list[str] | None = None,
    ) -> SlackNotifier:
        token = env.get("SLACK_BOT_TOKEN", "")
        if not token:
            raise NotifierError("SLACK_BOT_TOKEN is not set", retryable=False)
        return cls(
            settings, token, api_url=env.get("SLACK_API_URL"), review_channels=review_channels
        )

    @property
    def client(self) -> AsyncWebClient:
        return self._client

    async def notify(self, notification: Notification) -> NotificationReceipt:
        if notification.update_ref:
            await self._update(notification, notification.update_ref)
            return NotificationReceipt(notifier=self.name, ref=notification.update_ref)
        known = self._posted.get(notification.idempotency_key)
        if known is not None:
            return NotificationReceipt(notifier=self.name, ref=known)
        refs = []
        for channel in self._channels(notification):
            response = await self._call(
                self._client.chat_postMessage(
                    channel=channel,
                    text=fallback_text(notification),
                    blocks=build_blocks(notification, buttons=notification.with_buttons),
                    unfurl_links=False,
                    unfurl_media=False,
                )
            )
            refs.append(f"{response['channel']}:{response['ts']}")
        ref = ",".join(refs)
        self._posted[notification.idempotency_key] = ref
        return NotificationReceipt(notifier=self.name, ref=ref)

    def _channels(self, notification: Notification) -> list[str]:
        channels = notification.channels
        if not channels and notification.kind in ("approval_request", "reminder"):
            channels = self._review_channels
        channels = channels or self.settings.default_channels
        if not channels:
            raise NotifierError(
                "no Slack channel for this notification; set [slack].default_channels",
                retryable=False,
            )
        return list(dict.fromkeys(channels))

    async def _update(self, notification: Notification, ref: str) -> None:
        for channel, ts in parse_refs(ref):
            # The update never carries buttons: a decided request cannot be decided again.
            await self._call(
                self._client.chat_update(
                    channel=channel,
                    ts=ts,
                    text=fallback_text(notification),
                    blocks=build_blocks(notification, buttons=False),
                )
            )

    async def _call(self, request: Any) -> Any:
        try:
            return await request
        except SlackApiError as exc:
            raise classify(exc) from None
        except TimeoutError:
            raise NotifierError("Slack timed out", retryable=True) from None
        except aiohttp.ClientError as exc:
            raise NotifierError(
                f"Slack unreachable: {type(exc).__name__}", retryable=True
            ) from None


def classify(exc: SlackApiError) -> NotifierError:
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = getattr(response, "data", None)
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    headers = getattr(response, "headers", None) or {}
    if status == 429 or error == "ratelimited":
        retry_after = parse_retry_after(headers)
        return NotifierError(
            "Slack rate limited (ratelimited)", retryable=True, retry_after_s=retry_after
        )
    if status >= 500:
        return NotifierError(f"Slack HTTP {status} {error}".strip(), retryable=True)
    if error in TRANSIENT_ERRORS:
        return NotifierError(f"Slack error {error}", retryable=True)
    # Unknown errors are treated as permanent: failing closed puts a person in the loop.
    detail = error or f"HTTP {status}"
    return NotifierError(f"Slack refused the message: {detail}", retryable=False)
