"""Effective dates are read relative to the request's arrival, in six languages; a date
that is named but cannot be read never becomes "immediately"."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.proposal.harness import tier_request
from vouchflow.proposal.parser_rules import parse_with_rules
from vouchflow.proposal.request_dates import read_dates, unread_date_words
from vouchflow.proposal.request_text import fold

# Arrival: Wednesday 10 March 2027, 09:30 UTC.
NOW = dt.datetime(2027, 3, 10, 9, 30, tzinfo=dt.UTC)


def day(year: int, month: int, date: int) -> dt.datetime:
    return dt.datetime(year, month, date, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "when"),
    [
        # Relative to the arrival, not to the clock.
        ("Move us to premium from the 15th.", day(2027, 3, 15)),
        ("Move us to premium from the 5th.", day(2027, 4, 5)),
        ("Move us to premium starting the 10th.", day(2027, 3, 10)),  # today counts
        ("Upgrade to premium on Friday.", day(2027, 3, 12)),
        ("Upgrade to premium next Wednesday.", day(2027, 3, 17)),  # "next": not today
        ("Upgrade to premium this coming Tuesday.", day(2027, 3, 16)),
        ("Upgrade to premium in 10 days.", day(2027, 3, 20)),
        ("Upgrade to premium in three weeks.", day(2027, 3, 31)),
        ("Upgrade to premium a fortnight from now.", day(2027, 3, 24)),
        ("Upgrade to premium a couple of weeks from now.", None),  # not one day
        ("Upgrade to premium in a month.", day(2027, 4, 10)),
        ("Upgrade to premium the day after tomorrow.", day(2027, 3, 12)),
        ("Upgrade to premium from the first of next month.", day(2027, 4, 1)),
        ("Upgrade to premium from the 20th of next month.", day(2027, 4, 20)),
        ("Upgrade to premium from next year.", day(2028, 1, 1)),
        ("Upgrade to premium from June.", day(2027, 6, 1)),
        ("Upgrade to premium from February.", day(2028, 2, 1)),
        ("Upgrade to premium on 2 March.", day(2028, 3, 2)),  # passed this year: next
        ("Upgrade to premium on Thursday, 1 April.", day(2027, 4, 1)),
        ("Upgrade to premium on 25/03/2027.", day(2027, 3, 25)),
        ("Upgrade to premium on 03/25/2027.", day(2027, 3, 25)),
        # German, French, Dutch, Italian, Spanish.
        ("Bitte ab dem 1. April auf Premium umstellen.", day(2027, 4, 1)),
        ("Bitte zum 15.04.2027 auf Premium umstellen.", day(2027, 4, 15)),
        ("Bitte ab nächstem Montag auf Premium umstellen.", day(2027, 3, 15)),
        ("Bitte in zwei Wochen auf Premium umstellen.", day(2027, 3, 24)),
        ("Passez-nous au premium à partir du 1er avril.", day(2027, 4, 1)),
        ("Passez-nous au premium le premier mai.", day(2027, 5, 1)),
        ("Passez-nous au premium le mois prochain.", day(2027, 4, 1)),
        ("Passez-nous au premium dans deux semaines.", day(2027, 3, 24)),
        ("Graag overstappen naar premium per 1 mei.", day(2027, 5, 1)),
        ("Graag overstappen naar premium volgende maand.", day(2027, 4, 1)),
        ("Graag overstappen naar premium over drie dagen.", day(2027, 3, 13)),
        ("Vorremmo passare a premium dal 1° aprile.", day(2027, 4, 1)),
        ("Vorremmo passare a premium lunedì prossimo.", day(2027, 3, 15)),
        ("Queremos pasar a premium el 1 de abril.", day(2027, 4, 1)),
        ("Queremos pasar a premium el próximo mes.", day(2027, 4, 1)),
        ("Queremos pasar a premium mañana.", day(2027, 3, 11)),
        # "now" words are the arrival itself; none at all is immediately too.
        ("Upgrade to premium right away.", NOW),
        ("Bitte ab sofort auf Premium umstellen.", NOW),
        ("Upgrade to premium.", NOW),
    ],
)
def test_effective_dates_are_read_relative_to_the_arrival(
    text: str, when: dt.datetime | None
) -> None:
    result = parse_with_rules(tier_request(text, now=NOW))
    if when is None:
        assert result.proposal is None and "could not be read" in (result.failure_reason or "")
        return
    assert result.proposal is not None, result.failure_reason
    assert result.proposal.effective_date == when


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Upgrade to premium on 04/05/2027.", "04/05/2027"),  # April 5 or 4 May
        ("Upgrade to premium on 30 February.", "30 february"),
        ("Upgrade to premium on Monday 2 April.", "monday 2 april"),  # 2 April is a Friday
        ("Upgrade to premium at the end of the month.", "end of the month"),
        ("Upgrade to premium next week.", "next week"),
        ("Upgrade to premium after our renewal.", "after our renewal"),
        ("Upgrade to premium from March.", "from march"),  # this month: which year?
        ("Upgrade to premium within two weeks.", "within two weeks"),
        ("Upgrade to premium soon.", "soon"),
        ("Upgrade to premium in Q3.", "q3"),
        ("Bitte zum Quartalsende auf Premium umstellen, Ende des Quartals.", "ende des quartals"),
        ("Passez-nous au premium à la fin du mois.", "fin du mois"),
        ("Upgrade to premium on the 1st or the 15th.", "15th"),  # two days
    ],
)
def test_a_named_date_that_cannot_be_read_gives_no_proposal(text: str, words: str) -> None:
    result = parse_with_rules(tier_request(text, now=NOW))
    assert result.proposal is None
    reason = result.failure_reason or ""
    assert "date" in reason and words in reason and "a person reads it" in reason


def test_dates_outside_the_request_are_not_its_effective_date() -> None:
    # Context dates (the past, durations, other events) neither set nor block the date.
    for text in (
        "We joined in January 2025 and have been happy. Please upgrade to premium.",
        "Since 3 February our team doubled. Upgrade us to premium.",
        "We hired five people last week. Please upgrade us to premium.",
        "Our office moves next week. Please upgrade us to premium.",
    ):
        result = parse_with_rules(tier_request(text, now=NOW))
        assert result.proposal is not None, (text, result.failure_reason)
        assert result.proposal.effective_date == NOW, text


def test_the_same_event_gives_the_same_date_whatever_the_clock() -> None:
    event = tier_request("Move us to premium next Friday.", now=NOW)
    first = parse_with_rules(event).proposal
    again = parse_with_rules(event).proposal
    assert first is not None and again is not None
    assert first.effective_date == again.effective_date == day(2027, 3, 12)
    assert first.proposal_id == again.proposal_id


def test_prices_and_durations_are_not_dates() -> None:
    found, rest = read_dates(fold("We pay 99 per month for a year of service."), NOW)
    assert found == [] and unread_date_words(rest) is None


def test_a_date_goes_with_the_request_it_was_named_for() -> None:
    changed = "Put us on basic from 1 April. Actually no, make it premium from 1 May."
    result = parse_with_rules(tier_request(changed, now=NOW))
    assert result.proposal is not None and result.proposal.effective_date == day(2027, 5, 1)
    # The only date named went with the request withdrawn: not silently "now".
    dropped = "Put us on basic from 1 April. Actually no, make it premium."
    result = parse_with_rules(tier_request(dropped, now=NOW))
    assert result.proposal is None and "then changed" in (result.failure_reason or "")
