"""The embedded default parser: deterministic rules, no model (labelled as such).

Reads a tier-change request the way a careful clerk would: the tier asked for ("move
us to premium", "downgrade to basic"), the tier the customer says they are on ("from
standard", "we're on basic"; else the sending system's value), and when ("from the
1st of next month", "on 2026-12-01", "March 3", "tomorrow", "immediately"; no date =
immediately). Dates are read relative to the event's `created_at`, never the clock, so
the same event always gives the same proposal. A request naming no target tier gives no
proposal (the workflow sends it to a person with that reason).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from pydantic import ValidationError

from schemas.proposal.events import TierChangeRequestedV1
from schemas.proposal.proposal import ParserInfo, ProposalReading, ProposalResult, build_proposal
from vouchflow.invoice.extraction.injection import detect_injection
from vouchflow.triage.classifier_rules import normalise

LABEL = "deterministic rules parser (no model)"
INFO = ParserInfo(kind="rules", label=LABEL)

_TIER = r"(basic|standard|premium)"
_TARGET = [
    re.compile(
        r"\b(?:move|moving|upgrade|upgrading|downgrade|downgrading|switch|switching|change|"
        r"changing|go|going|bump|bumping|drop|dropping|migrate|migrating|put)\b"
        r"[^.!?\n]{0,60}?\bto\s+(?:the\s+|our\s+|a\s+)?" + _TIER + r"\b"
    ),
    re.compile(r"\b(?:want|would like|need|like)\s+(?:the\s+|a\s+)?" + _TIER + r"\b"),
]
_CURRENT = [
    re.compile(r"\bfrom\s+(?:the\s+|our\s+)?" + _TIER + r"\b(?!\s+(?:plan\s+)?(?:on|from)\b)"),
    re.compile(
        r"\b(?:currently|we are|we're|i am|i'm|are)\s+(?:on|using|subscribed to)\s+"
        r"(?:the\s+)?" + _TIER + r"\b"
    ),
    re.compile(r"\bour\s+(?:current\s+)?" + _TIER + r"\s+(?:plan|tier|subscription)\b"),
]
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NEXT_MONTH = re.compile(
    r"\b(?:(?:the\s+)?(?:1st|first)\s+(?:day\s+)?of\s+|(?:the\s+)?(?:start|beginning)\s+of\s+)?"
    r"next\s+month\b"
)
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:\s+(\d{4}))?")
_MONTH_DAY = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_TOMORROW = re.compile(r"\btomorrow\b")
_NOW = re.compile(r"\b(?:immediately|right away|asap|today|now|straight away)\b")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _dated(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_day(today: dt.date, month: int, day: int, year: str | None) -> dt.date | None:
    """A day without a year is the next such day (today counts)."""
    if year:
        return _dated(int(year), month, day)
    found = _dated(today.year, month, day)
    if found is not None and found < today:
        found = _dated(today.year + 1, month, day)
    return found


def read_effective_date(text: str, created_at: dt.datetime) -> tuple[dt.datetime, str]:
    """(when, which rule read it). `text` is normalised (case-folded)."""
    today = created_at.astimezone(dt.UTC).date()
    if m := _ISO.search(text):
        day = _dated(int(m[1]), int(m[2]), int(m[3]))
        if day is not None:
            return _midnight(day), "iso date"
    if _NEXT_MONTH.search(text):
        return _midnight(_first_of_next_month(today)), "first of next month"
    if m := _DAY_MONTH.search(text):
        day = _month_day(today, _MONTHS[m[2]], int(m[1]), m[3])
        if day is not None:
            return _midnight(day), "day and month"
    if m := _MONTH_DAY.search(text):
        day = _month_day(today, _MONTHS[m[1]], int(m[2]), m[3])
        if day is not None:
            return _midnight(day), "month and day"
    if _TOMORROW.search(text):
        return _midnight(today + dt.timedelta(days=1)), "tomorrow"
    if _NOW.search(text):
        return created_at.astimezone(dt.UTC), "immediately"
    return created_at.astimezone(dt.UTC), "no date stated: immediately"


def _first(patterns: list[re.Pattern[str]], text: str) -> str | None:
    hits = [(m.start(), m[1]) for p in patterns if (m := p.search(text))]
    return min(hits)[1] if hits else None


def _justification(event: TierChangeRequestedV1) -> str:
    words = " ".join(event.text.split())
    quoted = words if len(words) <= 420 else words[:419] + "…"
    return f"[rules, no model] customer request via {event.source}: {quoted}"


def parse_with_rules(event: TierChangeRequestedV1) -> ProposalResult:
    text = normalise(event.text)
    flags = detect_injection(event.text)
    target = _first(_TARGET, text)
    if target is None:
        return ProposalResult(
            proposal=None,
            parser=INFO,
            injection_flags=flags,
            failure_reason="the request names no tier to move to (basic, standard or premium)",
        )
    stated = _first(_CURRENT, text)
    current = stated or event.customer.tier
    when, rule = read_effective_date(text, event.created_at)
    notes = [f"effective date: {rule}"]
    if stated is None:
        notes.append(f"current tier not stated: the sending system's value ({current})")
    try:
        reading = ProposalReading(
            current_tier=current,
            target_tier=target,
            effective_date=when,
            justification=_justification(event),
            metadata={
                "parser": "rules",
                "source": event.source,
                "date_rule": rule,
                "current_tier_from": "text" if stated else "event",
            },
        )
    except ValidationError as err:  # pragma: no cover - the rules only produce valid values
        return ProposalResult(
            proposal=None, parser=INFO, injection_flags=flags, failure_reason=str(err)[:300]
        )
    return ProposalResult(
        proposal=build_proposal(event.customer.id, reading),
        parser=INFO,
        injection_flags=flags,
        notes=notes,
    )
