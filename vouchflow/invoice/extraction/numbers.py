"""Amounts, percentages, dates and currencies as they are printed on invoices.

Pure parsing helpers for the rules extractor. Amounts come back as Decimal (never
float) so they can be turned into minor units exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from vouchflow.invoice.extraction.problems import make_date

# Symbols and words that name a currency. Longer keys first so "US$" wins over "$".
_CURRENCY_TOKENS: list[tuple[str, str]] = [
    ("US$", "USD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("£", "GBP"),
    ("€", "EUR"),
    ("$", "USD"),
    ("₹", "INR"),
    ("zł", "PLN"),
    ("¥", "JPY"),
]
_CURRENCY_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bus\s+dollars?\b", re.I), "USD"),
    (re.compile(r"\beuros?\b", re.I), "EUR"),
    (re.compile(r"\bpounds?\s+sterling\b", re.I), "GBP"),
    (re.compile(r"\brs\.?(?=\s*-?\d)", re.I), "INR"),
    (re.compile(r"\brupees?\b", re.I), "INR"),
]
ISO_CODES = (
    "GBP", "EUR", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "AUD", "NZD", "CAD", "INR",
    "ZAR", "JPY",
)  # fmt: skip
_CODE_RE = re.compile(r"(?<![A-Za-z])(" + "|".join(ISO_CODES) + r")(?![A-Za-z])")
# Currencies we do not book (validation flags them), recognised only right beside an
# amount so that ordinary three-letter words are never read as a currency.
OTHER_CODES = (
    "HKD", "SGD", "CNY", "RMB", "RUB", "TRY", "BRL", "MXN", "AED", "SAR", "KRW", "THB",
    "IDR", "MYR", "PHP", "HUF", "RON", "BGN", "ISK", "ILS", "EGP", "NGN", "KES", "ARS",
    "CLP", "COP", "PEN", "VND", "UAH", "BTC", "ETH", "USDT", "XYZ",
)  # fmt: skip
_ALL_CODES = frozenset(ISO_CODES) | frozenset(OTHER_CODES)
# "Currency: HUF", "Invoice currency: SEK", "Währung: EUR", "Devise : EUR", "Valuta EUR".
_CURRENCY_LABEL = re.compile(
    r"(?<![\w])(?:invoice\s+|document\s+)?(?:currency|w(?:ä|ae|a)hrung|rechnungsw(?:ä|ae|a)hrung|"
    r"devise|monnaie|valuta|moneda|divisa)(?:\s+code)?\s*:?\s*([A-Z]{3})(?![A-Za-z])",
    re.I,
)
# "VAT in accounting currency: EUR" names the books' currency, not the invoice's.
_OTHER_CURRENCY_ROLE = re.compile(r"accounting|buchungs|comptab|local|payment|zahlungs", re.I)
_OTHER_RE = re.compile(
    r"(?<![A-Za-z])("
    + "|".join(OTHER_CODES)
    + r")\s?\d|\d\s?("
    + "|".join(OTHER_CODES)
    + r")(?![A-Za-z])"
)
# A currency marker right beside an amount, used to tell money from other numbers.
CURRENCY_MARK_RE = re.compile(
    r"(?:US\$|[£€$₹¥]|zł|\b(?:" + "|".join(ISO_CODES) + r")\b|\bRs\.?)", re.I
)

# Thousands groups are only accepted when unambiguous; a plain space only groups
# digits in the "1 234,56" style, because "1 278.61" in a table row is usually
# a quantity followed by a price.
# A minus may stand before the currency sign ("-£12.00") or after it ("£-12.00").
# "DKK225.00": a currency code glued to its amount (some viewers print them so).
_GLUED_CODE = "|".join(c for c in (*ISO_CODES, *OTHER_CODES) if len(c) == 3)
_AMOUNT_RE = re.compile(
    r"(?:(?<![\w.,/])|(?<=\b(?:"
    + _GLUED_CODE
    + r")))(?P<neg>[-\u2212\u2013]\s?(?:(?:US\$|[£€$₹¥]|zł)\s?)?)?(?P<num>"
    r"\d{1,3}(?:[  ]\d{3})+,\d{2}"
    r"|\d{1,3}(?:['\u2019]\d{3})+(?:[.,]\d{1,2})?"  # Swiss 1'234.50: always grouping
    r"|\d{1,3}(?:[ '\u2019]\d{3})+(?:[.,]\d{2})?(?=\s*(?:€|EUR|CHF|zł|PLN))"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?"
    r"|\d+(?:[.,]\d{1,4})?"
    r")(?!\d|[.,]\d|\s?%)"
)
_CURRENCY_SIGN = r"(?:US\$|[£€$₹¥]|zł|\b(?:" + "|".join(ISO_CODES) + r")\b)"
_ACCOUNTING_OPEN = re.compile(r"\(\s?(?:" + _CURRENCY_SIGN + r"\s?)?$")
_ACCOUNTING_CLOSE = re.compile(r"\s?(?:" + _CURRENCY_SIGN + r"\s?)?\)")
# A minus right after an amount, not the start of a range ("10.00-20.00") or a word.
_TRAILING_MINUS = re.compile(r"[-\u2212\u2013](?![\w\d])")
_PERCENT_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d{1,4})?)\s?%")


@dataclass(frozen=True)
class Amount:
    """A number found in a line, with enough context to judge whether it is money."""

    value: Decimal
    start: int
    end: int
    decimals: int
    has_currency: bool
    text: str

    @property
    def money_like(self) -> bool:
        return self.decimals == 2 or (self.has_currency and self.decimals == 0)


def parse_number(raw: str) -> tuple[Decimal, int] | None:
    """'1.234,56' / '1,234.56' / '1 234,56' -> (Decimal, decimals). None if unparseable."""
    s = re.sub(r"[  '\u2019]", "", raw.strip())
    if not s:
        return None
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    decimals = 0
    if last_dot >= 0 and last_comma >= 0:
        dec_sep = "." if last_dot > last_comma else ","
        grp_sep = "," if dec_sep == "." else "."
        whole, frac = s.rsplit(dec_sep, 1)
        s = whole.replace(grp_sep, "") + "." + frac
        decimals = len(frac)
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        parts = s.split(sep)
        if len(parts) == 2 and len(parts[1]) != 3:
            s = parts[0] + "." + parts[1]
            decimals = len(parts[1])
        elif all(len(p) == 3 for p in parts[1:]):
            s = "".join(parts)
        else:
            return None
    try:
        return Decimal(s), decimals
    except InvalidOperation:
        return None


_MINUS = ("-", "\u2212", "\u2013")


def parse_amount(raw: str) -> Decimal | None:
    """Parse one printed amount, tolerating a currency marker and a sign: a leading or
    trailing minus (ASCII, U+2212, en dash) or accounting parentheses make it negative."""
    cleaned = CURRENCY_MARK_RE.sub("", raw).strip()
    negative = (
        cleaned.startswith(_MINUS)
        or cleaned.endswith(_MINUS)
        or (cleaned.startswith("(") and cleaned.endswith(")"))
    )
    cleaned = cleaned.strip("()-\u2212\u2013 ")
    parsed = parse_number(cleaned)
    if parsed is None:
        return None
    return -parsed[0] if negative else parsed[0]


def find_amounts(line: str) -> list[Amount]:
    """Every number in a line that is not a percentage, a date or part of a code."""
    masked = mask_dates(line)
    found: list[Amount] = []
    for m in _AMOUNT_RE.finditer(masked):
        parsed = parse_number(m.group("num"))
        if parsed is None:
            continue
        value, decimals = parsed
        if decimals == 0 and m.start() > 0 and masked[m.start() - 1].isalpha():
            continue  # "EUR2025-001" is a reference; a glued code needs printed cents
        before = masked[max(0, m.start() - 4) : m.start()]
        after = masked[m.end() : m.end() + 5]
        has_currency = bool(
            CURRENCY_MARK_RE.search(before)
            or CURRENCY_MARK_RE.search(after)
            or CURRENCY_MARK_RE.search(m.group("neg") or "")
        )
        start, end = m.start(), m.end()
        negative = bool(m.group("neg"))
        wrapped = _ACCOUNTING_OPEN.search(masked, max(0, start - 10), start)
        closing = _ACCOUNTING_CLOSE.match(masked, end)
        if not negative and wrapped and closing:
            # "(12.00)" / "(£12.00)": the accounting way to print a negative amount.
            negative, start, end = True, wrapped.start(), closing.end()
        elif not negative and decimals == 2:
            trailing = _TRAILING_MINUS.match(masked, end)
            if trailing:
                # "12.00-": the sign printed after the amount (common on German documents).
                negative, end = True, trailing.end()
        if negative:
            value = -value
        found.append(Amount(value, start, end, decimals, has_currency, masked[start:end]))
    return found


def money_amounts(line: str) -> list[Amount]:
    return [a for a in find_amounts(line) if a.money_like]


def find_percents(line: str) -> list[Decimal]:
    out: list[Decimal] = []
    for m in _PERCENT_RE.finditer(line):
        parsed = parse_number(m.group(1))
        if parsed is not None:
            out.append(parsed[0])
    return out


# --- dates -----------------------------------------------------------------------

# Month names and abbreviations (EN, DE, FR, NL, IT, ES, PL), read case-blind: the one
# table every date reader uses (supplier templates too).
MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "january jan januar janv janvier januari jänner stycznia styczeń gennaio gen enero ene",
        "february feb februar fév fev févr fevr février fevrier februari lutego luty"
        " febbraio febrero",
        "march mar märz mär maerz mrz mars maart mrt marca marzec marzo",
        "april apr avril avr kwietnia kwiecień aprile abril abr",
        "may mai mei maja maj maggio mag mayo",
        "june jun juni juin czerwca czerwiec giugno giu junio",
        "july jul juli juillet juil lipca lipiec luglio lug julio",
        "august aug august août aout augustus sierpnia sierpień agosto ago",
        "september sep sept septembre września wrzesień settembre set septiembre setiembre",
        "october oct oktober okt octobre oktober października październik ottobre ott octubre",
        "november nov november novembre listopada listopad noviembre",
        "december dec dezember dez décembre decembre déc december grudnia grudzień"
        " dicembre dic diciembre",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _num

_MONTH_ALT = "|".join(sorted((re.escape(n) for n in MONTHS), key=len, reverse=True))
# 2025-03-15, 2025/03/15, 2025.03.15: year first is always year-month-day.
_ISO_DATE = re.compile(r"(?<![\d.,/])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d]|[.,]\d)")
_NUM_DATE = re.compile(r"(?<![\d.,/])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[.,]\d)")
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:er|st|nd|rd|th|º|°)?\.?(?:\s+|-)(?:de\s+)?({_MONTH_ALT})\.?,?"
    rf"(?:\s+|-)(?:de\s+)?(\d{{4}})(?!\d)",
    re.I,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![A-Za-z])({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})(?!\d)", re.I
)


@dataclass(frozen=True)
class FoundDate:
    value: dt.date
    start: int
    end: int


@dataclass(frozen=True)
class BadDate:
    """Something printed as a date that is not a usable one: ``"impossible"`` (no such
    day: 30 February, month 13) or ``"implausible"`` (a four-digit year outside the
    plausible range, e.g. 0001 or 9999)."""

    kind: str
    raw: str
    start: int
    end: int


def _make_date(year: str, month: int, day: int) -> dt.date | str:
    return make_date(int(year), month, day, year_digits=len(year))


def scan_dates(line: str, *, prefer_month_first: bool = False) -> list[FoundDate | BadDate]:
    """Every date-shaped token in a line, in order: real dates and unusable ones. A
    caller that expects a date at a label must report a ``BadDate`` rather than go on
    looking for another date, which would silently replace what the document says."""
    found: list[FoundDate | BadDate] = []

    def add(made: dt.date | str, m: re.Match[str]) -> None:
        if isinstance(made, dt.date):
            found.append(FoundDate(made, m.start(), m.end()))
        else:
            found.append(BadDate(made, m.group(0), m.start(), m.end()))

    for m in _ISO_DATE.finditer(line):
        add(_make_date(m.group(1), int(m.group(3)), int(m.group(4))), m)
    for m in _NUM_DATE.finditer(line):
        a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if a > 12:
            day, month = a, b
        elif b > 12 or prefer_month_first:
            day, month = b, a
        else:
            day, month = a, b
        add(_make_date(year, month, day), m)
    for m in _DAY_MONTH_YEAR.finditer(line):
        add(_make_date(m.group(3), MONTHS[m.group(2).lower()], int(m.group(1))), m)
    for m in _MONTH_DAY_YEAR.finditer(line):
        add(_make_date(m.group(3), MONTHS[m.group(1).lower()], int(m.group(2))), m)
    found.sort(key=lambda f: (f.start, isinstance(f, BadDate)))
    # Drop overlaps (e.g. an ISO date also read as a numeric one).
    out: list[FoundDate | BadDate] = []
    for f in found:
        if not out or f.start >= out[-1].end:
            out.append(f)
    return out


def find_dates(line: str, *, prefer_month_first: bool = False) -> list[FoundDate]:
    """All real dates in a line, in order. Numeric dates are day-first unless that is
    impossible (or the document reads month-first, as US documents do)."""
    return [
        f
        for f in scan_dates(line, prefer_month_first=prefer_month_first)
        if isinstance(f, FoundDate)
    ]


def parse_date(raw: str, *, prefer_month_first: bool = False) -> dt.date | None:
    found = find_dates(raw, prefer_month_first=prefer_month_first)
    return found[0].value if found else None


def mask_dates(line: str) -> str:
    """Blank out dates (usable or not) so their digits are not read as amounts."""
    chars = list(line)
    for f in scan_dates(line):
        for i in range(f.start, f.end):
            chars[i] = " "
    return "".join(chars)


# --- currency --------------------------------------------------------------------


def detect_currency(text: str) -> tuple[str | None, str | None]:
    """The currency a document names under a "Currency" label, else the dominant one
    (most marks) and the line that shows it best. The label wins because a name such as
    "DKV Euro Service" or "XYZ 7 GmbH" must not outvote "Currency: HUF"."""
    for line in text.splitlines():
        labelled = _CURRENCY_LABEL.search(line)
        if (
            labelled
            and labelled.group(1).upper() in _ALL_CODES
            and not _OTHER_CURRENCY_ROLE.search(line[: labelled.start()])
        ):
            return labelled.group(1).upper(), line.strip()
    votes: Counter[str] = Counter()
    evidence: dict[str, str] = {}
    for line in text.splitlines():
        found: list[str] = [m.group(1).upper() for m in _CODE_RE.finditer(line)]
        found += [(m.group(1) or m.group(2)).upper() for m in _OTHER_RE.finditer(line)]
        rest = line
        for token, code in _CURRENCY_TOKENS:
            count = rest.count(token)
            if count:
                found.extend([code] * count)
                rest = rest.replace(token, " ")
        for pattern, code in _CURRENCY_WORDS:
            found.extend([code] * len(pattern.findall(line)))
        for code in found:
            votes[code] += 1
            evidence.setdefault(code, line.strip())
    if not votes:
        return None, None
    code = votes.most_common(1)[0][0]
    return code, evidence[code]
