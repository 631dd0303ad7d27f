"""Short-lived decision tokens (JWT, EdDSA) bound to one workflow and one action.

Claims: ``iss`` (the signer: a person id, or a service such as ``gateway``), ``sub``
(the person who decided), ``aud`` (``vouchflow``), ``wf`` (workflow id), ``act`` (the
action), ``via`` (channel), ``iat``/``exp`` (at most MAX_TTL apart) and ``jti``.

A person's own key may only sign for themselves (``iss == sub``); a service key may sign
for the people it authenticated, only over the channels it is trusted for.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict

from vouchflow.identity.keys import TrustedKeys, check_id

AUDIENCE = "vouchflow"
ALGORITHM = "EdDSA"
DEFAULT_TTL = dt.timedelta(minutes=10)
MAX_TTL = dt.timedelta(hours=1)
# Tolerated clock difference between the machine that signs and the worker.
LEEWAY = dt.timedelta(seconds=30)
MAX_TOKEN_CHARS = 4096

Action = Literal[
    "approve",
    "reject",
    "revert",
    "cancel_email",
    "submit",
    "override",
    "rerun",
    "operate",
    "confirm",
    "correct",
]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]
PERSONAL_CHANNELS = ("cli", "temporal-cli")


class ProofRefused(ValueError):
    """The decision's proof does not hold; the message says why, in one line."""


class VerifiedActor(BaseModel):
    """Who decided, as proven by a verified token."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    person: str
    issuer: str
    channel: str
    action: str
    workflow_id: str
    token_id: str
    expires_at: dt.datetime


def mint_decision_token(
    key: Ed25519PrivateKey,
    *,
    issuer: str,
    person: str,
    workflow_id: str,
    action: str,
    channel: str = "cli",
    ttl: dt.timedelta = DEFAULT_TTL,
    now: dt.datetime | None = None,
) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} (one of: {', '.join(ACTIONS)})")
    if not dt.timedelta(0) < ttl <= MAX_TTL:
        raise ValueError(f"token lifetime must be between 0 and {MAX_TTL}")
    if not workflow_id or len(workflow_id) > 1000:
        raise ValueError("a token is bound to one workflow id")
    issued = now or dt.datetime.now(dt.UTC)
    claims = {
        "iss": check_id(issuer),
        "sub": check_id(person),
        "aud": AUDIENCE,
        "wf": workflow_id,
        "act": action,
        "via": channel,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_decision_token(
    token: str,
    *,
    trusted: TrustedKeys,
    workflow_id: str,
    action: str,
    now: dt.datetime | None = None,
) -> VerifiedActor:
    """The actor a token proves, or ProofRefused with a one-line reason."""
    if not isinstance(token, str) or not token.strip():
        raise ProofRefused("no proof of identity: a decision needs a signed token")
    if len(token) > MAX_TOKEN_CHARS:
        raise ProofRefused("the token is too long")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise ProofRefused("the token is not a well-formed JWT") from None
    if header.get("alg") != ALGORITHM:
        raise ProofRefused(f"the token must be signed with {ALGORITHM}")
    issuer = str(unverified.get("iss", ""))
    person = str(unverified.get("sub", ""))
    channel = str(unverified.get("via", ""))
    if issuer in trusted.people:
        if issuer != person:
            raise ProofRefused(f"{issuer}'s key cannot sign a decision for {person[:64]!r}")
        if channel not in PERSONAL_CHANNELS:
            raise ProofRefused(f"a personal key cannot vouch for channel {channel[:32]!r}")
        public_key = trusted.people[issuer]
    elif issuer in trusted.services:
        service = trusted.services[issuer]
        if channel not in service.channels:
            raise ProofRefused(f"service {issuer} is not trusted for channel {channel[:32]!r}")
        public_key = service.public_key
    else:
        raise ProofRefused(f"the token's signer {issuer[:64]!r} is not trusted")
    moment = now or dt.datetime.now(dt.UTC)
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "iss", "jti"], "verify_exp": False},
        )
    except jwt.InvalidSignatureError:
        raise ProofRefused("the token's signature does not verify") from None
    except jwt.PyJWTError as err:
        raise ProofRefused(f"the token is not valid: {err}") from None
    issued = dt.datetime.fromtimestamp(int(claims["iat"]), dt.UTC)
    expires = dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC)
    if expires - issued > MAX_TTL:
        raise ProofRefused(f"the token lives longer than {MAX_TTL}")
    if moment > expires + LEEWAY:
        raise ProofRefused(f"the token expired at {expires:%Y-%m-%d %H:%M:%S} UTC")
    if issued > moment + LEEWAY:
        raise ProofRefused("the token is issued in the future")
    if claims.get("wf") != workflow_id:
        raise ProofRefused("the token was made for another workflow")
    if claims.get("act") != action:
        raise ProofRefused(f"the token allows {str(claims.get('act'))[:32]!r}, not {action!r}")
    return VerifiedActor(
        person=person,
        issuer=issuer,
        channel=channel,
        action=action,
        workflow_id=workflow_id,
        token_id=str(claims["jti"]),
        expires_at=expires,
    )
