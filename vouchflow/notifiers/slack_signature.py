"""Verify Slack request signatures (interactivity callbacks, events).

`X-Slack-Signature` = "v0=" + hex HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}").
Requests older (or further in the future) than five minutes are refused, so a
captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_AGE_S = 300


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def verify_slack_signature(
    signing_secret: str, timestamp: str, body: bytes, signature: str, now: float
) -> bool:
    if not signing_secret or not signature:
        return False
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent_at) > MAX_AGE_S:
        return False
    expected = slack_signature(signing_secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature.encode())
