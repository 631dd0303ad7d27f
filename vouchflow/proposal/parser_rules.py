"""The embedded default parser: deterministic rules, no model (labelled as such).

Reads a tier-change request the way a careful clerk would, in English, German, French,
Dutch, Italian and Spanish:

* the tier asked for: the tier the customer moves TO ("move us to premium", "bitte auf
  Premium umstellen", "premum pls"), read tolerantly (`request_tiers`); a request that is
  negated, hypothetical, a question, a request for a quote, or withdrawn in the same
  message asks for no change (`request_intent`);
* the tier the customer says they are on ("from standard", "we're on basic"); else the
  sending system's value;
* when, relative to the event's `created_at`, never the clock, so the same event always
  gives the same proposal ("from the 1st", "next Monday", "in two weeks", "1er
  décembre"; no date = immediately, `request_dates`). A date that is named but cannot be
  read is never taken as "immediately": there is no proposal, and a person reads it.

Text addressed to the system ("Note for the system: ...", "[admin note: ...]") is not
read as the customer's request, and it and any claim of authority or of an account are
flagged (`request_instructions`): the policy sends such a change to a person. The
customer id always comes from the event. With no proposal the workflow hands the request
to a person with the reason.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import ValidationError

from schemas.proposal.events import TierChangeRequestedV1
from schemas.proposal.proposal import ParserInfo, ProposalReading, ProposalResult, build_proposal
from vouchflow.proposal.request_dates import DateFound, read_dates, unread_date_words
from vouchflow.proposal.request_instructions import (
    detect_request_instructions,
    has_override,
    without_instructions,
)
from vouchflow.proposal.request_intent import Intent, read_intent
from vouchflow.proposal.request_text import Sentence, fold
from vouchflow.proposal.request_tiers import canonical_tiers

LABEL = "deterministic rules parser (no model)"
INFO = ParserInfo(kind="rules", label=LABEL)

# A sentence that says when the change starts, or is about the change at all; a date in
# any other sentence ("we are onboarding new staff this week") is not the effective date.
_ABOUT_THE_CHANGE = re.compile(
    r"\b(?:basic|standard|premium|from|starting|start|as of|effective|beginning|begin"
    r"|take effect|apply|applies|ab|zum|a partir|des|vanaf|per|met ingang|dal|a partire"
    r"|desde|upgrade\w*|downgrade\w*|switch\w*|move|change|umstell\w*|wechsel\w*|passer"
    r"|changer|overstap\w*|cambi\w*|passare)\b"
)


class UnreadDate(Exception):
    """A date is named but could not be read as one day."""


def _about_the_change(sentence: Sentence, rest: str) -> bool:
    return bool(_ABOUT_THE_CHANGE.search(sentence.text)) or len(rest.split()) <= 4


def _dates_in(intent: Intent, indices: range, now: dt.datetime) -> list[DateFound]:
    """The dates named in those sentences of the request that are about the change;
    UnreadDate when one of them names a date no reader can read."""
    found: list[DateFound] = []
    for index in indices:
        sentence = intent.sentences[index]
        readings, rest = read_dates(sentence.text, now)
        unread = unread_date_words(rest)
        if not readings and unread is None:
            continue
        if index != intent.target_sentence and not _about_the_change(sentence, rest):
            continue
        if unread is not None:
            raise UnreadDate(f"the request names a date that could not be read: {unread!r}")
        found.extend(readings)
    return found


def read_effective_date(intent: Intent, created_at: dt.datetime) -> tuple[dt.datetime, str]:
    """(when, which rule read it) from the sentences of the final request; UnreadDate
    when a date is named there but cannot be read, or several different days are, or
    when the only date named went with a request the customer then changed."""
    found = _dates_in(intent, range(intent.episode, len(intent.sentences)), created_at)
    if not found and _dates_in(intent, range(intent.episode), created_at):
        raise UnreadDate("the only date named belongs to a request the customer then changed")
    # "now" is often only a word ("we now need premium from the 1st"): a day wins.
    named = [f for f in found if f.rule != "immediately"] or found
    if not named:
        return created_at.astimezone(dt.UTC), "no date stated: immediately"
    for reading in named:
        if reading.when is None:
            raise UnreadDate(f"the request names a date that could not be read: {reading.words!r}")
    days = {f.when for f in named}
    if len(days) > 1:
        words = ", ".join(repr(f.words) for f in named)
        raise UnreadDate(f"the request names more than one date: {words}")
    first = named[0]
    assert first.when is not None
    return first.when.astimezone(dt.UTC), first.rule


def _justification(event: TierChangeRequestedV1) -> str:
    words = " ".join(event.text.split())
    quoted = words if len(words) <= 420 else words[:419] + "…"
    return f"[rules, no model] customer request via {event.source}: {quoted}"


def _none(flags: list[str], reason: str, notes: list[str]) -> ProposalResult:
    return ProposalResult(
        proposal=None, parser=INFO, injection_flags=flags, failure_reason=reason, notes=notes
    )


def parse_with_rules(event: TierChangeRequestedV1) -> ProposalResult:
    flags = detect_request_instructions(event.text)
    folded = fold(event.text)
    text, notes = canonical_tiers(without_instructions(folded))
    intent = read_intent(text)
    if intent.target is None and not intent.asked and has_override(folded):
        # Nothing is asked outside the sentence that overrides instructions: what that
        # sentence asks in the customer's own voice is read (and flagged for a person).
        text, notes = canonical_tiers(without_instructions(folded, keep_after_override=True))
        intent = read_intent(text)
    if intent.target is None:
        return _none(flags, intent.reason or "no tier to move to", notes)
    try:
        when, rule = read_effective_date(intent, event.created_at)
    except UnreadDate as unread:
        return _none(flags, f"{unread}; a person reads it", notes)
    stated = intent.current
    current = stated or event.customer.tier
    notes.append(f"effective date: {rule}")
    if stated is None:
        notes.append(f"current tier not stated: the sending system's value ({current})")
    try:
        reading = ProposalReading(
            current_tier=current,
            target_tier=intent.target,
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
        return _none(flags, str(err)[:300], notes)
    return ProposalResult(
        proposal=build_proposal(event.customer.id, reading),
        parser=INFO,
        injection_flags=flags,
        notes=notes,
    )
