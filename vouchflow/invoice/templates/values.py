"""Reading one field's value out of a run of words, by kind and format.

Shared by learning (is this the approved value, and how is it printed?) and reading
(what value does this text hold, in the learned format?).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vouchflow.invoice.rules.identifiers import normalise_identifier
from vouchflow.invoice.templates.formats import (
    find_amounts,
    find_currencies,
    find_dates,
    find_shaped,
    id_shape,
    to_minor_units,
)
from vouchflow.invoice.templates.identity import name_key
from vouchflow.invoice.templates.models import FieldKind


@dataclass(frozen=True, slots=True)
class Match:
    """The approved value found in a text: the printed form and its format."""

    printed: str
    format: str
    loose_format: str | None
    start: int
    end: int


def approved_json(kind: FieldKind, value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def match_value(kind: FieldKind, text: str, approved: object, currency: str | None) -> Match | None:
    """Where the approved value is printed in `text` (a run of words), and its format."""
    if kind == "amount":
        assert isinstance(approved, int)
        for found in find_amounts(text):
            if to_minor_units(abs(found.value), currency) == abs(approved):
                return Match(found.text, found.decimal_sep, None, found.start, found.end)
        return None
    if kind == "date":
        for d in find_dates(text):
            if d.value == approved:
                return Match(d.text, d.pattern, None, d.start, d.end)
        return None
    if kind == "currency":
        for code, printed, start, end in find_currencies(text):
            if code == approved:
                return Match(
                    printed, "symbol" if not printed.isalpha() else "code", None, start, end
                )
        return None
    if kind == "identifier":
        key = normalise_identifier(str(approved))
        if not key:
            return None
        stripped = text.strip()
        if normalise_identifier(stripped) == key:
            start = text.index(stripped)
            return Match(
                stripped,
                id_shape(stripped),
                id_shape(stripped, loose=True),
                start,
                start + len(stripped),
            )
        return None
    key = name_key(str(approved))
    if key and name_key(text) == key:
        return Match(text.strip(), "name", None, 0, len(text))
    return None


@dataclass(frozen=True, slots=True)
class Read:
    value: str
    printed: str
    strict: bool


def read_value(
    kind: FieldKind,
    text: str,
    fmt: str,
    loose: str | None,
    currency: str | None,
    supplier_name: str,
) -> Read | None:
    """The first value of this kind in `text`, in the learned format (strict) or in any
    format this kind can be printed in (not strict: lower certainty)."""
    if kind == "amount":
        for strict, sep in ((True, fmt or None), (False, None)):
            for found in find_amounts(text, sep):
                minor = to_minor_units(found.value, currency)
                if minor is not None and (strict or found.decimal_sep):
                    return Read(str(minor), found.text, strict and found.decimal_sep == fmt)
        return None
    if kind == "date":
        for strict, pattern in ((True, fmt), (False, None)):
            dates = find_dates(text, pattern)
            if dates:
                return Read(dates[0].value.isoformat(), dates[0].text, strict)
        return None
    if kind == "currency":
        marks = find_currencies(text)
        if marks:
            return Read(marks[0][0], marks[0][1], True)
        return None
    if kind == "identifier":
        for strict, shape in ((True, fmt), (False, loose)):
            if shape:
                hits = find_shaped(text, shape)
                if hits:
                    return Read(hits[0][0], hits[0][0], strict)
        return None
    key = name_key(supplier_name)
    if key and key in name_key(text):
        return Read(supplier_name, text.strip(), True)
    return None
