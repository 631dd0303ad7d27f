"""Checks on an incoming decision that need no I/O, so the workflow (and the `decide`
update's validator) can refuse the obviously wrong cheaply: a malformed payload, a
missing or ill-formed token, a token made for another workflow or action, or one that
has expired. The signature itself is verified by the `verify_decision` activity.

Pure functions: deterministic, testable without Temporal.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Collection
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

_MAX_REASON = 300


def one_line(text: str, limit: int = _MAX_REASON) -> str:
    """A reason fit for an audit record, a CLI line and a notification."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def validation_summary(err: ValidationError) -> str:
    """Pydantic's errors as one line, without Python internals."""
    parts = []
    for problem in err.errors()[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ())) or "input"
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    return one_line("; ".join(parts))


def parse_decision(kind: str, raw: Any, kinds: dict[str, type[BaseModel]]) -> BaseModel:
    """The typed decision, or ValueError with a one-line reason (malformed input)."""
    model = kinds[kind]
    if not isinstance(raw, dict):
        raise ValueError(f"malformed {kind} decision: expected a JSON object")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise ValueError(f"malformed {kind} decision: {validation_summary(err)}") from None


class DecideRequest(Protocol):
    """A workflow's `decide` update payload: one decision of a kind, as its signal."""

    @property
    def kind(self) -> str: ...
    def as_signal(self) -> BaseModel: ...


# Turns the `decide` update's payload into (kind, decision fields); ValueError if malformed.
ReadRequest = Callable[[Any], tuple[str, dict[str, Any]]]


def decide_reader(
    parse: Callable[[Any], DecideRequest],
    *,
    kinds: Collection[str] | None = None,
    other_kinds: str = "",
) -> ReadRequest:
    """How a workflow reads its `decide` update: `parse` validates the payload (a model's
    `model_validate`); with `kinds`, a kind the workflow does not take is malformed too,
    refused as "{other_kinds}, not 'revert'"."""

    def read(raw: Any) -> tuple[str, dict[str, Any]]:
        try:
            request = parse(raw)
        except ValidationError as err:
            raise ValueError(validation_summary(err)) from None
        if kinds is not None and request.kind not in kinds:
            raise ValueError(f"{other_kinds}, not {request.kind!r}")
        return request.kind, request.as_signal().model_dump(mode="json")

    return read


def claimed_name(decision: BaseModel) -> str:
    """The typed name in a decision: informational only, never an identity."""
    for attr in ("reviewer", "requested_by"):
        value = getattr(decision, attr, "")
        if value and value != "unknown":
            return one_line(value, 64)
    return ""


def _claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    body = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(body))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def precheck_token(token: str, *, workflow_id: str, action: str) -> str | None:
    """Why this token cannot be proof for `action` on `workflow_id` (None = worth verifying)."""
    if not token or not token.strip():
        return (
            "no proof of identity: a decision needs a signed token (vouchflow token --as YOU"
            f" --workflow {workflow_id} --action {action})"
        )
    claims = _claims(token.strip())
    if claims is None:
        return "the token is not a well-formed JWT"
    if claims.get("wf") != workflow_id:
        return "the token was made for another workflow"
    if claims.get("act") != action:
        return f"the token allows {one_line(str(claims.get('act')), 32)!r}, not {action!r}"
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return "the token has no expiry"
    # Expiry is checked by the verifier against the wall clock: workflow time is history
    # time (and runs ahead of it under time-skipping tests).
    return None
