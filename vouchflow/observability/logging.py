"""JSON logs via structlog, with workflow id / run id on every activity line, and
personal data and secrets masked in every line (structlog's and the standard
library's, which Temporal's SDK uses)."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from temporalio import activity

from vouchflow.settings import Settings
from vouchflow.stores.redact import redact, redact_text, scrub_secrets

_SECRET_KEYS = re.compile(
    r"(token|secret|password|passwd|authorization|api[_-]?key|credential|cookie)", re.I
)
# Token *counts* are usage, not secrets.
_COUNT_SUFFIXES = ("_tokens", "_count", "tokens")
# Identifiers made by vouchflow or Temporal: masking a digit run in one would only
# make the line harder to correlate (secrets are still scrubbed by value).
_ID_KEYS = frozenset(
    {"workflow_id", "run_id", "activity", "idempotency_key", "task_queue", "timestamp", "level"}
)


def _add_temporal_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    if activity.in_activity():
        info = activity.info()
        event.setdefault("workflow_id", info.workflow_id)
        event.setdefault("run_id", info.workflow_run_id)
        event.setdefault("activity", info.activity_type)
        event.setdefault("attempt", info.attempt)
    return event


def redact_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Every value of a log line: secrets by key name and by value, IBANs, card
    numbers, key-shaped strings, emails; exception text included (rendered first)."""
    for key, value in list(event.items()):
        secret_key = _SECRET_KEYS.search(key) and not key.lower().endswith(_COUNT_SUFFIXES)
        if secret_key and not isinstance(value, int | float):
            event[key] = "[redacted]"
            continue
        if isinstance(value, str):
            event[key] = scrub_secrets(value) if key in _ID_KEYS else redact_text(value)
        elif isinstance(value, dict | list | tuple):
            event[key] = redact(value)
        elif isinstance(value, BaseException):
            event[key] = redact_text(f"{type(value).__name__}: {value}")
    return event


class RedactingFilter(logging.Filter):
    """The same masking for standard-library records (the Temporal SDK logs activity
    failures with their messages and tracebacks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is passed on as it is
            return True
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(text)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install_log_filter(logger: logging.Logger | None = None) -> None:
    """Attach the RedactingFilter to every handler of `logger` (root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def configure_logging(settings: Settings | None = None, *, level: int = logging.INFO) -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level)
    install_log_filter()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_temporal_ids,
            structlog.processors.format_exc_info,
            redact_event,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
