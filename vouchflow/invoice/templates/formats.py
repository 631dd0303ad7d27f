"""Values as a supplier prints them: amounts, dates, identifiers and currencies.

Learning knows the approved value and asks "which printed text means this, and in which
format?"; reading knows the format and asks "what does this text mean?". Both use the
same parsers, so a format learned from one invoice reads the next one the same way
(a day-first supplier's 02/03/2026 stays 2 March, never 3 February).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from schemas.common.money import exponent
from vouchflow.invoice.extraction.numbers import MONTHS

# ---- amounts --------------------------------------------------------------------------

# Currency marks that may stand beside a printed amount, and the ISO code they mean.
CURRENCY_SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "$": "USD",
    "US$": "USD",
    "¥": "JPY",
    "₹": "INR",
    "zł": "PLN",
    "Fr.": "CHF",
    "kr": "SEK",
}
CURRENCY_WORDS: dict[str, str] = {"euro": "EUR", "euros": "EUR", "eur": "EUR"}
_ISO = r"[A-Z]{3}"
_GROUPS = " '\u2019\u00a0\u202f.,"
# A run that may be one printed amount: digits with separators, a sign, a currency mark.
_AMOUNT_RUN = re.compile(
    r"(?<![\w.,/])[-\u2212\u2013]?\s?(?:US\$|[€£$¥₹]|[A-Z]{3}(?=\s?[-\d]))?\s?[-\u2212\u2013]?"
    r"\d(?:[\d '\u2019\u00a0\u202f.,]*\d)?(?:\s?(?:[€£$¥₹]|zł|[A-Z]{3}))?(?![\w%]|[.,]\d)"
)
_MARK = re.compile(r"US\$|[€£$¥₹]|zł|\b[A-Z]{3}\b")


@dataclass(frozen=True, slots=True)
class FoundAmount:
    value: Decimal
    decimal_sep: str  # "." or "," or "" (no decimals printed)
    start: int
    end: int
    text: str


def parse_amount_as(raw: str, decimal_sep: str) -> tuple[Decimal, str] | None:
    """One printed amount read with the given decimal separator ("." or ","), any
    grouping (1.234,56 / 1,234.56 / 1 234,56 / 1'234.56), an optional currency mark and
    sign. Returns (value, the decimal separator actually printed) or None."""
    text = _MARK.sub("", raw).strip()
    negative = text.startswith(("-", "\u2212", "\u2013")) or text.endswith(
        ("-", "\u2212", "\u2013")
    )
    text = text.strip("-\u2212\u2013 ")
    if not text or not text[0].isdigit() or not text[-1].isdigit():
        return None
    groups = "".join(c for c in _GROUPS if c != decimal_sep)
    group_re = "[" + re.escape(groups) + "]"
    match = re.fullmatch(
        rf"(\d{{1,3}}(?:{group_re}\d{{3}})+|\d+)(?:{re.escape(decimal_sep)}(\d{{1,3}}))?", text
    )
    if match is None:
        return None
    whole = re.sub(r"\D", "", match.group(1))
    # One grouping character throughout: "1.234,567.89" is not an amount.
    used = set(re.sub(r"\d", "", match.group(1)))
    if len(used) > 1:
        return None
    frac = match.group(2)
    if frac is not None and len(frac) == 3 and not used and decimal_sep in ".,":
        # "1,234" alone: a thousands group, not three decimals.
        return None
    try:
        value = Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None
    return (-value if negative else value), (decimal_sep if frac else "")


def find_amounts(text: str, decimal_sep: str | None = None) -> list[FoundAmount]:
    """Every reading of an amount in a piece of text. Without a separator both are
    tried (learning); with one, only it (reading in the supplier's learned format)."""
    seps = [decimal_sep] if decimal_sep else [",", "."]
    out: list[FoundAmount] = []
    for run in _AMOUNT_RUN.finditer(text):
        lead = len(run.group()) - len(run.group().lstrip())
        whole = _readings(run.group().strip(), run.start() + lead, seps)
        if whole:
            # The run reads as one amount ("1 234,56"): its pieces are not amounts.
            out.extend(whole)
            continue
        # "1,00 60,00" in a text row: each space-separated piece on its own.
        for part in re.finditer(r"\S+", run.group()):
            out.extend(_readings(part.group(), run.start() + part.start(), seps))
    return out


def _readings(piece: str, start: int, seps: list[str]) -> list[FoundAmount]:
    out: list[FoundAmount] = []
    for sep in seps:
        parsed = parse_amount_as(piece, sep)
        if parsed is not None and all(a.value != parsed[0] for a in out):
            out.append(FoundAmount(parsed[0], parsed[1], start, start + len(piece), piece))
    return out


def to_minor_units(value: Decimal, currency: str | None) -> int | None:
    scaled = value.scaleb(exponent(currency or "EUR"))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


# ---- dates ----------------------------------------------------------------------------

_MONTH_ALT = "|".join(sorted((re.escape(n) for n in MONTHS), key=len, reverse=True))
_SEP = r"[./\-]"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("YMD", re.compile(r"(?<![\d.,])(\d{4})([./\-])(\d{1,2})\2(\d{1,2})(?![\d])")),
    ("NUM", re.compile(r"(?<![\d.,/])(\d{1,2})([./\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[.,]\d)")),
    (
        "D MON Y",
        re.compile(
            rf"(?<!\d)(\d{{1,2}})(?:er|st|nd|rd|th|º|°)?\.?[\s\-]+(?:de\s+)?({_MONTH_ALT})\.?"
            rf"[\s\-,]+(?:de\s+)?(\d{{4}}|\d{{2}})(?!\d)",
            re.I,
        ),
    ),
    (
        "MON D Y",
        re.compile(
            rf"(?<![A-Za-zÀ-ÿ])({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})(?!\d)",
            re.I,
        ),
    ),
]


@dataclass(frozen=True, slots=True)
class FoundDate:
    value: dt.date
    pattern: str  # e.g. "DMY/" "MDY." "YMD-" "D MON Y" "MON D Y"
    start: int
    end: int
    text: str


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    return value if 1990 <= value.year <= 2100 else None


def find_dates(text: str, pattern: str | None = None) -> list[FoundDate]:
    """Every reading of a date in the text. Numeric day/month dates give both readings
    when both are possible (learning picks the one that is the approved date); with a
    learned pattern only that reading is returned."""
    out: list[FoundDate] = []
    for kind, regex in _DATE_PATTERNS:
        for m in regex.finditer(text):
            readings: list[tuple[dt.date | None, str]] = []
            if kind == "YMD":
                sep = m.group(2)
                readings.append((_date(int(m.group(1)), int(m.group(3)), int(m.group(4))), sep))
                readings = [(v, f"YMD{sep}") for v, _ in readings]
            elif kind == "NUM":
                a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), _year(m.group(4))
                readings.append((_date(y, b, a), f"DMY{sep}"))
                readings.append((_date(y, a, b), f"MDY{sep}"))
            elif kind == "D MON Y":
                month = MONTHS[m.group(2).lower()]
                readings.append((_date(_year(m.group(3)), month, int(m.group(1))), kind))
            else:
                month = MONTHS[m.group(1).lower()]
                readings.append((_date(_year(m.group(3)), month, int(m.group(2))), kind))
            for value, name in readings:
                if value is None or (pattern is not None and name != pattern):
                    continue
                out.append(FoundDate(value, name, m.start(), m.end(), m.group()))
    out.sort(key=lambda f: f.start)
    return out


# ---- identifiers ----------------------------------------------------------------------


def id_shape(printed: str, *, loose: bool = False) -> str:
    """A regex for values shaped like this one: 'F20260024' -> '[A-Z]\\d{8}';
    loose: '[A-Z]+\\d+' (a number that grew a digit still matches)."""
    parts: list[str] = []
    for m in re.finditer(r"[A-Z]+|[a-z]+|\d+|\s+|.", printed):
        run = m.group()
        if run[0].isdigit():
            parts.append(r"\d+" if loose else rf"\d{{{len(run)}}}")
        elif run[0].isupper() and run.isalpha():
            parts.append("[A-Z]+" if loose else f"[A-Z]{{{len(run)}}}")
        elif run[0].islower() and run.isalpha():
            parts.append("[a-z]+" if loose else f"[a-z]{{{len(run)}}}")
        elif run.isspace():
            parts.append(r"\s?")
        else:
            parts.append(re.escape(run))
    # Repeated quantifiers collapse ("{1}" is noise for a person reading `show`).
    return "".join(parts).replace("{1}", "")


def find_shaped(text: str, shape: str) -> list[tuple[str, int, int]]:
    """Tokens of the text that have the learned shape, whole (not inside a longer word)."""
    regex = re.compile(rf"(?<![A-Za-z0-9])(?:{shape})(?![A-Za-z0-9])")
    return [(m.group(), m.start(), m.end()) for m in regex.finditer(text)]


# ---- currencies -----------------------------------------------------------------------


def find_currencies(text: str) -> list[tuple[str, str, int, int]]:
    """(ISO code, printed form, start, end) for every currency mark in the text."""
    out: list[tuple[str, str, int, int]] = []
    for m in re.finditer(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])", text):
        out.append((m.group(1), m.group(1), m.start(), m.end()))
    for symbol, code in CURRENCY_SYMBOLS.items():
        if not symbol[0].isalpha():
            for m in re.finditer(re.escape(symbol), text):
                out.append((code, symbol, m.start(), m.end()))
    for word, code in CURRENCY_WORDS.items():
        for m in re.finditer(rf"(?<![A-Za-z]){word}(?![A-Za-z])", text, re.I):
            if m.group() != m.group().upper() or word != "eur":
                out.append((code, m.group(), m.start(), m.end()))
    # "US$" also contains "$": keep the longer mark at a position.
    out.sort(key=lambda c: (c[2], -(c[3] - c[2])))
    kept: list[tuple[str, str, int, int]] = []
    for item in out:
        if kept and item[2] < kept[-1][3]:
            continue
        kept.append(item)
    return kept
