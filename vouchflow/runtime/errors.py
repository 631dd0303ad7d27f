"""Exceptions as people should read them: one line, no Python internals.

Used wherever an error reaches a person (the command line, scan summaries, reasons):
never ``InvalidOperation: [<class 'decimal.InvalidOperation'>]``, object reprs,
memory addresses or multi-line tracebacks.
"""

from __future__ import annotations

import decimal
import json
import re

from pydantic import ValidationError

MAX_CHARS = 300

# `<foo.Bar object at 0x7f...>`, `<class 'decimal.InvalidOperation'>`, `<function f at 0x..>`
_OBJECT_REPR = re.compile(r"<(?:[^<>]|<locals>)*? at 0x[0-9a-fA-F]+>")
_CLASS_REPR = re.compile(r"<class '([\w.]+)'>")
_DECIMAL_SIGNAL = re.compile(r"(?:(?:decimal\.)?InvalidOperation:\s*)?\[<class 'decimal\.\w+'>\]")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")

_FRIENDLY = {
    decimal.InvalidOperation: "not a valid number",
    decimal.DivisionByZero: "division by zero",
    decimal.Overflow: "number too large",
    ZeroDivisionError: "division by zero",
    RecursionError: "input nested too deeply",
    MemoryError: "input too large to process",
}


def user_message(err: BaseException) -> str:
    """One readable line describing ``err`` (at most MAX_CHARS characters)."""
    for kind, text in _FRIENDLY.items():
        if isinstance(err, kind):
            return text
    if isinstance(err, json.JSONDecodeError):
        return f"not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})"
    if isinstance(err, ValidationError):
        return _validation_message(err)
    if isinstance(err, KeyError):
        return f"missing {one_line(repr(err.args[0]))}" if err.args else "missing key"
    if isinstance(err, FileNotFoundError):
        return f"no such file or directory: {err.filename}" if err.filename else "file not found"
    if isinstance(err, IsADirectoryError):
        return f"is a directory, not a file: {err.filename}" if err.filename else "is a directory"
    if isinstance(err, PermissionError):
        return f"permission denied: {err.filename}" if err.filename else "permission denied"
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename else ""
        return one_line(f"{err.strerror}{where}")
    text = one_line(str(err))
    if not text or text in ("None", "[]", "()"):
        return _humanise(type(err).__name__)
    return text


def _validation_message(err: ValidationError) -> str:
    parts = []
    for problem in err.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(part) for part in problem.get("loc", ())) or "value"
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    more = err.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return one_line("; ".join(parts))


def one_line(text: str) -> str:
    """Collapse whitespace, drop reprs and addresses, bound the length."""
    text = _DECIMAL_SIGNAL.sub("not a valid number", text)
    text = _CLASS_REPR.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text)
    text = _OBJECT_REPR.sub("<object>", text)
    text = _ADDRESS.sub("…", text)
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1].rstrip() + "…"
    return text


def _humanise(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
    return words.removesuffix(" error").strip() or "unexpected error"
