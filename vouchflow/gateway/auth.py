"""Authenticating webhook clients: a bearer token or an HMAC-SHA256 of the body.

Each client has its own secret; the one that matches names the client. Every
configured secret is compared (constant time, no early exit), so timing says
neither which client matched nor how much of a guess was right. No secret
configured refuses everything (fail closed).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from vouchflow.gateway.config import ClientSecret

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


def authenticate_client(
    clients: Iterable[ClientSecret],
    *,
    authorization: str | None,
    signature: str | None,
    signed: bytes | None,
) -> str | None:
    """The id of the client whose credential the request carries, else None.

    `signed` is the raw body (POST) or the request path (GET); None skips HMAC
    clients (a bearer token is checked before the body is read)."""
    matched: str | None = None
    for client in clients:
        if client.auth == "bearer":
            ok = check_bearer(client.secret, authorization)
        elif signed is not None:
            ok = check_hmac(client.secret, signed, signature)
        else:
            ok = False
        if ok and matched is None:
            matched = client.client_id
    return matched
