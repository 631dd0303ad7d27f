"""Canonical JSON and the audit record hash.

The hash must be reproducible by anyone with the rows, in any language:
SHA-256 over UTF-8 JSON with sorted keys, no whitespace and non-ASCII kept as is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from pydantic_core import to_jsonable_python

GENESIS_HASH = "0" * 64


def to_json_value(value: Any) -> Any:
    """Plain JSON types only (dates, decimals, models become strings/objects)."""
    return json.loads(canonical_json(to_jsonable_python(value)))


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def utc_iso(moment: dt.datetime) -> str:
    """UTC ISO 8601; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def record_hash(
    *,
    seq: int,
    workflow_id: str,
    run_id: str,
    type: str,
    payload: dict[str, Any],
    created_at: dt.datetime,
    idempotency_key: str,
    prev_hash: str,
) -> str:
    body = {
        "seq": seq,
        "workflow_id": workflow_id,
        "run_id": run_id,
        "type": type,
        "payload": payload,
        "created_at": utc_iso(created_at),
        "idempotency_key": idempotency_key,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
