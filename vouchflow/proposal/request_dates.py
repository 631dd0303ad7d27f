"""When a change should take effect, read from folded text in six languages.

Every reading is relative to the request's arrival (the event's `created_at`), never the
clock, so the same event always gives the same date. A date without a time is 00:00 UTC;
"now" words give the arrival instant itself. Readers run from the most to the least
specific and each takes its words out of the text, so "the 1st of next month" is read
once, not also as "the 1st".

A date that is named but cannot be read (an ambiguous 01/02/2027, "31 February", "the
end of the month", "next week", "after our renewal") is returned as a reading without an
instant (or found by `unread_date_words` among the words left over): the parser must not
fall back to "immediately" then, it fails closed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from vouchflow.invoice.extraction.numbers import MONTHS
from vouchflow.proposal.request_text import strip_marks, words

V = TypeVar("V")


@dataclass(frozen=True)
class DateFound:
    # None: named, but not readable as one day (fail closed).
    when: dt.datetime | None
    rule: str
    words: str


def _alt(names: Iterable[str]) -> str:
    """A regex alternation of `names`, longest first (so "june" wins over "jun")."""
    return "|".join(sorted((re.escape(name) for name in names), key=len, reverse=True))


def _keyed(rows: dict[str, V]) -> dict[str, V]:
    """{"one two": 1} -> {"one": 1, "two": 1}: each word of a row keys its value."""
    return {word: value for text, value in rows.items() for word in words(text)}


_MONTH_NUM = {strip_marks(name): num for name, num in MONTHS.items()}
_MONTH = rf"(?P<month>{_alt(_MONTH_NUM)})\.?"
# Full month names only (3-letter abbreviations are too often other words) for the
# readers that have no day beside the month.
_MONTH_FULL = rf"(?P<month>{_alt(n for n in _MONTH_NUM if len(n) >= 4)})"
_WEEKDAYS = _keyed(
    {
        "monday montag lundi maandag lunedi lunes": 0,
        "tuesday dienstag mardi dinsdag martedi martes": 1,
        "wednesday mittwoch mercredi woensdag mercoledi miercoles": 2,
        "thursday donnerstag jeudi donderdag giovedi jueves": 3,
        "friday freitag vendredi vrijdag venerdi viernes": 4,
        "saturday samstag sonnabend samedi zaterdag sabato sabado": 5,
        "sunday sonntag dimanche zondag domenica domingo": 6,
    }
)
_WEEKDAY = rf"(?P<weekday>{_alt(_WEEKDAYS)})"
_NUMBERS = _keyed(
    {
        "a an one ein eine einer einem einen un une een uno una": 1,
        "two zwei deux twee due dos": 2,
        "three drei trois drie tre tres": 3,
        "four vier quatre quattro cuatro": 4,
        "five funf cinq vijf cinque cinco": 5,
        "six sechs zes sei seis": 6,
        "seven sieben sept zeven sette siete": 7,
        "eight acht huit otto ocho": 8,
        "nine neun neuf negen nove nueve": 9,
        "ten zehn dix tien dieci diez": 10,
    }
)
_COUNT = rf"(?P<count>\d{{1,3}}|{_alt(_NUMBERS)})"
_UNITS = _keyed(
    {
        "day days tag tage tagen jour jours dag dagen giorno giorni dia dias": "day",
        "week weeks woche wochen semaine semaines weken settimana settimane semana semanas": (
            "week"
        ),
        "month months monat monate monaten mois maand maanden mese mesi mes meses": "month",
        "fortnight fortnights": "fortnight",
    }
)
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}
_UNIT = rf"(?P<unit>{_alt(_UNITS)})"
# An ordinal day: "1st", "1er", "1.", "1°", "1o", or a word for the first.
_FIRST = _alt(words("first premier premiere erste ersten erster erstem eerste primo primero"))
_ORDINAL = r"(?:st|nd|rd|th|er|eme|e|o|\.|\u00ba|\u00b0)"
_DAY = rf"(?:(?P<day>\d{{1,2}}){_ORDINAL}?|(?P<first>{_FIRST}))"
_OF = r"(?:of|des|du|van|del|de|di|dei)"
_NEXT_MONTH = (
    r"(?:next month|the following month|nachste[nmrs]? monats?|kommende[nmrs]? monats?"
    r"|(?:le )?mois prochain|(?:le )?prochain mois|volgende maand|komende maand"
    r"|(?:il )?mese prossimo|(?:il )?prossimo mese|(?:el )?proximo mes|(?:el )?mes proximo"
    r"|(?:el )?mes que viene)"
)
_START_OF = r"(?:start|beginning|begin|anfang|beginn|debut|inizio|principios?|comienzo)"
_NEXT_YEAR = (
    r"(?:next year|nachste[nms]? jahr(?:es)?|(?:l')?annee prochaine|volgend jaar"
    r"|(?:l')?anno prossimo|(?:il )?prossimo anno|(?:el )?proximo ano|(?:el )?ano que viene)"
)
_NEXT = (
    r"(?:next|coming|nachste[nmrs]?|kommende[nmrs]?|prochain|volgende|komende|aanstaande"
    r"|prossim[oa]|proxim[oa])"
)
_NOW = (
    r"(?:immediately|right away|right now|straight away|at once|asap|as soon as possible"
    r"|today|(?<!from )now|ab sofort|sofort|umgehend|heute|so schnell wie moglich"
    r"|immediatement|des maintenant|tout de suite|aujourd'hui|aujourd hui|des que possible"
    r"|per direct"
    r"|meteen|onmiddellijk|zo snel mogelijk|vandaag|nu|da subito|subito|immediatamente"
    r"|oggi|al piu presto|adesso|de inmediato|inmediatamente|hoy|ahora|lo antes posible"
    r"|cuanto antes)"
)
_TOMORROW = r"(?<!guten )(?<!la )(?<!esta )(?:tomorrow|morgen|demain|domani|manana)"
_DAY_AFTER = (
    r"(?:the day after tomorrow|ubermorgen|apres-demain|apres demain|overmorgen|dopodomani"
    r"|pasado manana)"
)
# Words that put a date in the past: not when the change starts ("since 3 March").
_PAST = re.compile(
    r"\b(?:since|seit|seitdem|depuis|sinds|desde hace|last|past|previous|letzte[nmrs]?"
    r"|vergangene[nmrs]?|dernier|derniere|vorige|afgelopen|scors[oa]|pasad[oa])\s+"
    r"(?:\S+\s+){0,2}$"
)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _dated(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_day_month(today: dt.date, month: int, day: int, year: str | None) -> dt.date | None:
    """A day and month without a year is the next such day (today counts)."""
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _dated(full, month, day)
    found = _dated(today.year, month, day)
    if found is not None and found < today:
        found = _dated(today.year + 1, month, day)
    return found


def _day_number(m: re.Match[str]) -> int:
    return 1 if m.group("first") else int(m.group("day"))


def _year(m: re.Match[str]) -> str | None:
    return m.groupdict().get("year")


Reader = Callable[[re.Match[str], dt.datetime], "dt.datetime | None"]


def _iso(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    day = _dated(int(m["y"]), int(m["m"]), int(m["d"]))
    return _midnight(day) if day else None


def _numeric(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    """1.12.2026 and 15/12/2026 are day first; 12/15/2026 month first; 01/02/2027 could
    be either: not read."""
    a, b = int(m["a"]), int(m["b"])
    if m["sep"] != "." and a <= 12 and b <= 12 and a != b:
        return None
    day, month = (b, a) if m["sep"] != "." and b > 12 else (a, b)
    found = _next_day_month(now.date(), month, day, m["year"])
    return _midnight(found) if found else None


def _of_next_month(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    first = _add_months(now.date().replace(day=1), 1)
    day = _day_number(m) if (m.group("day") or m.group("first")) else 1
    found = _dated(first.year, first.month, day)
    return _midnight(found) if found else None


def _day_month(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    """A day and month, with the weekday when one is named beside it ("Monday the 7th
    of December"): a weekday that is not that day's makes the date unreadable."""
    found = _next_day_month(now.date(), _MONTH_NUM[m["month"]], _day_number(m), _year(m))
    if found is None:
        return None
    named = m.groupdict().get("weekday")
    if named and _WEEKDAYS[named] != found.weekday():
        return None
    return _midnight(found)


def _day_of_month(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    """The next such day of a month, today counting ("from the 1st")."""
    day, today = _day_number(m), now.date()
    for months in range(0, 3):
        base = _add_months(today.replace(day=1), months)
        found = _dated(base.year, base.month, day)
        if found is not None and found >= today:
            return _midnight(found)
    return None


def _month_only(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    """The first day of the month named ("from January"); the month we are in, with no
    year, is not read (this year's is past, next year's is not what anyone means)."""
    month, today = _MONTH_NUM[m["month"]], now.date()
    if m["year"]:
        return _midnight(dt.date(int(m["year"]), month, 1))
    if month == today.month and today.day != 1:
        return None
    year = today.year if month >= today.month else today.year + 1
    return _midnight(dt.date(year, month, 1))


def _weekday(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    """The named weekday after the arrival ("next"/"this" alike; the same weekday as
    today only counts when no "next" word is said)."""
    today = now.date()
    ahead = (_WEEKDAYS[m["weekday"]] - today.weekday()) % 7
    if ahead == 0 and (m["next"] or m["after"]):
        ahead = 7
    return _midnight(today + dt.timedelta(days=ahead))


def _offset(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    if m["within"]:
        return None  # "within two weeks" is a deadline, not a day
    raw = m["count"]
    count = int(raw) if raw.isdigit() else _NUMBERS[raw]
    unit = _UNITS[m["unit"]]
    today = now.date()
    if unit == "month":
        return _midnight(_add_months(today, count))
    return _midnight(today + dt.timedelta(days=count * _UNIT_DAYS[unit]))


def _next_year(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    return _midnight(dt.date(now.year + 1, 1, 1))


def _plus(days: int) -> Reader:
    def read(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
        return _midnight(now.date() + dt.timedelta(days=days))

    return read


def _now(m: re.Match[str], now: dt.datetime) -> dt.datetime | None:
    return now


_ON = (
    r"(?:from|on|starting|start|as of|effective|by|after|beginning|ab|am|zum|vom|a partir du"
    r"|a partir de|le|des|vanaf|op|per|met ingang van|dal|il|a partire dal|a partire da"
    r"|desde el|desde|el|a contar del)"
)
_READERS: list[tuple[str, re.Pattern[str], Reader]] = [
    (
        "iso date",
        re.compile(r"(?<![\d.])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d])"),
        _iso,
    ),
    (
        "numeric date",
        re.compile(
            r"(?<![\d.,/])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})"
            r"(?:(?P=sep)(?P<year>\d{4}|\d{2})(?![\d])|\.(?!\d))"
        ),
        _numeric,
    ),
    (
        "first of next month",
        re.compile(
            rf"\b(?:(?:the |le |den |de |il |el |het )?{_DAY}\s+(?:day\s+)?{_OF}?\s*(?:the\s+)?"
            rf"|(?:the |le |al |el |de |het )?{_START_OF}\s+(?:{_OF}\s+)?(?:the\s+)?)?"
            rf"{_NEXT_MONTH}\b"
        ),
        _of_next_month,
    ),
    (
        "day and month",
        re.compile(
            rf"(?<![\d.])\b(?:{_WEEKDAY},?\s+(?:the\s+|den\s+|le\s+|il\s+|el\s+)?)?"
            rf"{_DAY}\s*(?:{_OF}\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?\b"
        ),
        _day_month,
    ),
    (
        "month and day",
        re.compile(
            rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?:the\s+)?{_DAY}(?![\d:])"
            rf"(?:,?\s+(?P<year>\d{{4}}))?\b"
        ),
        _day_month,
    ),
    ("next year", re.compile(rf"\b{_NEXT_YEAR}\b"), _next_year),
    (
        "day of the month",
        re.compile(
            rf"\b{_ON}\s+(?:the\s+|den\s+|le\s+|il\s+|el\s+|de\s+)?"
            rf"(?:(?P<day>\d{{1,2}}){_ORDINAL}(?!\d)"
            rf"|(?P<first>first|premier|ersten|eerste|primo|primero)\b(?!\s+(?:of|time|step)\b))"
        ),
        _day_of_month,
    ),
    (
        "month",
        re.compile(
            rf"\b(?:from|in|starting|start of|beginning of|as of|by|ab|im|zum|anfang|a partir de"
            rf"|des|en|vanaf|per|dal|da|a partire da|desde|a partir de|inicio de|debut)"
            rf"\s+(?:the\s+)?{_MONTH_FULL}(?:\s+(?P<year>\d{{4}}))?\b"
        ),
        _month_only,
    ),
    (
        "weekday",
        re.compile(
            rf"\b(?:(?P<next>{_NEXT})\s+|(?:on|this|am|ce|op|deze|questo|il|el|este)\s+)?"
            rf"{_WEEKDAY}\b(?:\s+(?P<after>prochain|prossimo|que viene|proximo))?"
        ),
        _weekday,
    ),
    (
        "in so many days, weeks or months",
        re.compile(
            r"\b(?:(?P<within>within|binnen|innerhalb von|innerhalb|d'ici|entro)"
            rf"|in|dans|over|tra|fra|en)\s+{_COUNT}\s+{_UNIT}\b"
        ),
        _offset,
    ),
    (
        "so many days, weeks or months from now",
        re.compile(rf"\b(?P<within>)?{_COUNT}\s+{_UNIT}\s+from\s+(?:now|today)\b"),
        _offset,
    ),
    ("the day after tomorrow", re.compile(rf"\b{_DAY_AFTER}\b"), _plus(2)),
    ("tomorrow", re.compile(rf"\b{_TOMORROW}\b"), _plus(1)),
    ("immediately", re.compile(rf"\b{_NOW}\b"), _now),
]


def read_dates(text: str, now: dt.datetime) -> tuple[list[DateFound], str]:
    """Every date named in `text` (folded), in reading order of the rules, and the text
    with the words read taken out (for `unread_date_words`)."""
    found: list[DateFound] = []
    rest = text
    for rule, pattern, read in _READERS:
        for m in list(pattern.finditer(rest)):
            # Blanked, not cut: the offsets of the matches still to come stay right.
            rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
            if _PAST.search(text[: m.start()]):
                continue  # "since 3 March", "for two weeks": not when the change starts
            found.append(DateFound(read(m, now), rule, m.group(0).strip()))
    return found, rest


def without_dates(text: str) -> str:
    """`text` with every date expression blanked (whatever day it names)."""
    return read_dates(text, _ANY_DAY)[1]


_ANY_DAY = dt.datetime(2000, 1, 3, tzinfo=dt.UTC)


# Words that name a time without a reader for it. A time noun counts only beside a word
# that makes it a point in time ("next week", "end of the month", "after our renewal"),
# not a price or a duration ("per month", "for a year").
_TIME_NOUNS = (
    r"(?:weeks?|weekend|fortnights?|months?|days|quarter|year|period|cycle|term|renewal|contract"
    r"|woche|wochenende|monats?|quartals?|jahr(?:es)?|laufzeit|verlangerung|semaine|mois"
    r"|trimestre|annee|periode|echeance|renouvellement|maand|kwartaal|jaar|termijn"
    r"|verlenging|settimana|mese|anno|rinnovo|semana|mes|ano|renovacion|q[1-4])"
)
_POINT_WORDS = (
    r"(?:next|this|coming|following|end|start|beginning|mid|middle|from|starting|by|until"
    r"|till|after|before|at|ab|zum|bis|nach|nachste[nmrs]?|kommende[nmrs]?|diese[nmrs]?"
    r"|ende|anfang|mitte|a partir|fin|debut|mi|prochain[e]?|vanaf|tegen|na|volgende"
    r"|komende|deze|eind|begin|half|dal|entro|dopo|prossim[oa]|questo|questa|fine|inizio"
    r"|desde|hasta|despues|proxim[oa]|este|esta|final|principios|mediados)"
)
_UNREAD = re.compile(
    rf"\b{_POINT_WORDS}\s+(?:\S+\s+){{0,2}}?{_TIME_NOUNS}\b"
    rf"|\b{_WEEKDAY}\b|\b{_MONTH_FULL}\b"
    r"|(?<![\d.])\d{1,2}(?:st|nd|rd|th|er|eme)\b|(?<![\d.,])\d{1,2}[./]\d{1,2}(?![\d,])"
    rf"|\b{_TIME_NOUNS}\s+from\s+(?:now|today)\b"
    r"|\bq[1-4]\b|\b(?:last day|letzten tag|dernier jour|laatste dag|ultimo giorno"
    r"|ultimo dia|soon|later|eventually|at some point|bald|spater|demnachst|bientot|plus tard"
    r"|prochainement|binnenkort|presto|piu tardi|prossimamente|mas tarde|proximamente)\b"
)


def unread_date_words(text: str) -> str | None:
    """Words in `text` (what read_dates left) that name a time no reader could read."""
    m = _UNREAD.search(text)
    return " ".join(m.group(0).split()) if m else None
