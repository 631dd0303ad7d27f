"""Block Kit for vouchflow notifications.

Approval requests carry Approve/Reject buttons (action_id approve/reject, value =
workflow id); the decision update replaces them with the outcome. Sizes are kept
inside Slack's limits so a long reason never makes the whole message fail.
"""

from __future__ import annotations

from typing import Any

from schemas.common.effects import Notification
from schemas.triage.classification import CATEGORIES, URGENCIES
from vouchflow.notifiers.base import safe_notification

APPROVE_ACTION = "approve"
REJECT_ACTION = "reject"
DECISION_BLOCK = "vouchflow_decision"
# Tickets: a Confirm button (value = workflow id) and a menu of corrections. A menu's
# callback carries only the chosen option, so the workflow id rides in its block id.
CONFIRM_ACTION = "confirm"
CORRECT_ACTION = "correct"
CORRECT_BLOCK_PREFIX = "vouchflow_correct:"


_HEADER_MAX = 150
_SECTION_MAX = 3000
_FIELD_MAX = 2000
_MAX_FIELDS = 10
_FALLBACK_MAX = 4000

_EMOJI = {
    "approval_request": ":inbox_tray:",
    "reminder": ":alarm_clock:",
    "escalation": ":rotating_light:",
    "decision": ":white_check_mark:",
    "auto_drafted": ":page_facing_up:",
    "flagged": ":warning:",
    "rejected_input": ":no_entry:",
    "reverted": ":leftwards_arrow_with_hook:",
    "approval_refused": ":no_entry_sign:",
}


def escape(text: str) -> str:
    """Slack mrkdwn control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link_target(url: str) -> str:
    # `<url|label>`: a | or > inside the URL would end the link early and let the rest
    # render as text.
    return url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")


def fallback_text(notification: Notification) -> str:
    """Text for notifications and clients that cannot show blocks (read as mrkdwn)."""
    notification = safe_notification(notification)
    return _clip(escape(" — ".join([notification.title, *notification.lines[:1]])), _FALLBACK_MAX)


def build_blocks(notification: Notification, *, buttons: bool) -> list[dict[str, Any]]:
    """Every text is the safe form (one line per field, redacted) and mrkdwn-escaped."""
    notification = safe_notification(notification)
    emoji = _EMOJI.get(notification.kind, "")
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _clip(f"{emoji} {notification.title}".strip(), _HEADER_MAX),
                "emoji": True,
            },
        }
    ]
    facts = list(notification.facts.items())[:_MAX_FIELDS]
    if facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {
                        "type": "mrkdwn",
                        "text": _clip(f"*{escape(label)}*\n{escape(value)}", _FIELD_MAX),
                    }
                    for label, value in facts
                ],
            }
        )
    if notification.lines:
        body = "\n".join(f"• {escape(line)}" for line in notification.lines)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(body, _SECTION_MAX)}}
        )
    context = [f"Workflow `{escape(notification.workflow_id)}`"]
    if notification.web_url:
        context.append(f"<{_link_target(notification.web_url)}|Open in Temporal Web UI>")
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]}
    )
    if buttons and notification.decisions == "confirm_correct":
        blocks.append(
            {
                "type": "actions",
                "block_id": CORRECT_BLOCK_PREFIX + notification.workflow_id,
                "elements": [
                    {
                        "type": "button",
                        "action_id": CONFIRM_ACTION,
                        "text": {"type": "plain_text", "text": "Confirm"},
                        "style": "primary",
                        "value": notification.workflow_id,
                    },
                    {
                        "type": "static_select",
                        "action_id": CORRECT_ACTION,
                        "placeholder": {"type": "plain_text", "text": "Correct to…"},
                        "options": [
                            {
                                "text": {
                                    "type": "plain_text",
                                    "text": f"{category.replace('_', ' ')} / {urgency}",
                                },
                                "value": f"{category}:{urgency}",
                            }
                            for category in CATEGORIES
                            for urgency in URGENCIES
                        ],
                    },
                ],
            }
        )
    elif buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": DECISION_BLOCK,
                "elements": [
                    {
                        "type": "button",
                        "action_id": APPROVE_ACTION,
                        "text": {"type": "plain_text", "text": "Approve"},
                        "style": "primary",
                        "value": notification.workflow_id,
                    },
                    {
                        "type": "button",
                        "action_id": REJECT_ACTION,
                        "text": {"type": "plain_text", "text": "Reject"},
                        "style": "danger",
                        "value": notification.workflow_id,
                    },
                ],
            }
        )
    return blocks
