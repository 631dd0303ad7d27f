"""Authenticating intake requests: a bearer token or an HMAC-SHA256 of the body.

Comparisons are constant-time. An unset secret refuses everything (fail closed)
rather than letting requests through unauthenticated.
"""

from __future__ import annotations

import hashlib
import hmac

from gateway.config import GatewaySecrets, GatewaySettings

HMAC_PREFIX = "sha256="


def body_signature(secret: str, body: bytes) -> str:
    """What a sender puts in the HMAC header: `sha256=<hex>`."""
    return HMAC_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_bearer(token: str, authorization: str | None) -> bool:
    if not token or not authorization:
        return False
    scheme, _, presented = authorization.partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def check_hmac(secret: str, signed: bytes, signature: str | None) -> bool:
    if not secret or not signature:
        return False
    presented = signature.strip()
    if not presented.startswith(HMAC_PREFIX):
        presented = HMAC_PREFIX + presented
    return hmac.compare_digest(presented.encode(), body_signature(secret, signed).encode())


def intake_authorized(
    settings: GatewaySettings,
    secrets: GatewaySecrets,
    *,
    authorization: str | None,
    signature: str | None,
    signed: bytes,
) -> bool:
    """`signed` is the raw body (POST) or the request path (GET)."""
    if settings.intake_auth == "bearer":
        return check_bearer(secrets.intake_token, authorization)
    return check_hmac(secrets.intake_hmac_secret, signed, signature)
