"""Who sent a document: VAT ids, IBANs, bank account numbers and the supplier's name.

A supplier is recognised by any of them; the bank details are also what the fraud check
compares (a known supplier whose IBAN changed is how payment redirection starts). Every
identifier is kept in a normal form (upper case, no spaces or punctuation) so the same
id printed as "DE 123 456 789" and "DE123456789" is one id.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from vouchflow.invoice.rules.identifiers import normalise_identifier

# EU (and a few neighbours') VAT id formats, in normal form.
VAT_FORMATS: dict[str, str] = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CHE": r"\d{9}(?:MWST|TVA|IVA)?",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "GB": r"\d{9}(?:\d{3})?|GD\d{3}|HA\d{3}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}",
    "LT": r"\d{9}(?:\d{3})?",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "NO": r"\d{9}(?:MVA)?",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"\d{2,10}",
    "SE": r"\d{10}01",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}(?:\d{3})?",
}
_VAT_RE = {c: re.compile(rf"{c}(?:{f})") for c, f in VAT_FORMATS.items()}
_VAT_START = re.compile(
    r"(?<![A-Za-z0-9])("
    + "|".join(sorted(VAT_FORMATS, key=len, reverse=True))
    + r")[ .\-]?(?=[A-Z0-9])"
)

# IBAN lengths by country (ISO 13616 registry); others are accepted at 15-34 characters.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "VA": 22, "XK": 20,
}  # fmt: skip
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2})(?=[ A-Z0-9])")
_ACCOUNT_RE = re.compile(
    r"(?:account\s*(?:number|no\.?|nr\.?|#)|acct\.?\s*(?:no\.?|#)|kontonummer|konto[\s\-]*nr\.?"
    r"|n[°o]\s*de\s*compte|num[ée]ro\s*de\s*compte|rekeningnummer|rekening|"
    r"n[úu]mero\s*de\s*cuenta|numero\s*di\s*conto|conto\s*corrente)\s*[:#.]?\s*"
    r"(\d[\d \-]{4,22}\d)",
    re.I,
)
_SORT_CODE_RE = re.compile(r"sort[\s\-]*code\s*[:#.]?\s*(\d{2}[\s\-]?\d{2}[\s\-]?\d{2})", re.I)
# Legal forms dropped when names are compared: "Coolblue B.V." is "coolblue".
_LEGAL_FORMS = (
    "gmbh & co. kg", "gmbh & co kg", "gmbh", "mbh", "ag", "kg", "ohg", "ug", "e.k.", "ltd",
    "limited", "plc", "llp", "llc", "inc", "corp", "b.v.", "bv", "n.v.", "nv", "vof",
    "sarl", "s.a.r.l.", "sas", "s.a.s.", "sa", "s.a.", "eurl", "srl", "s.r.l.", "spa",
    "s.p.a.", "sl", "s.l.", "oy", "ab", "as", "a/s", "aps", "sp. z o.o.", "co.",
)  # fmt: skip


class SupplierIdentity(BaseModel):
    """What identifies a supplier on a page (all in normal form)."""

    model_config = ConfigDict(extra="forbid")

    vat_ids: list[str] = Field(default_factory=list)
    ibans: list[str] = Field(default_factory=list)
    account_numbers: list[str] = Field(default_factory=list)

    @property
    def bank_details(self) -> list[str]:
        return [*self.ibans, *self.account_numbers]

    def merged(self, other: SupplierIdentity) -> SupplierIdentity:
        return SupplierIdentity(
            vat_ids=_union(self.vat_ids, other.vat_ids),
            ibans=_union(self.ibans, other.ibans),
            account_numbers=_union(self.account_numbers, other.account_numbers),
        )


def _union(a: list[str], b: list[str]) -> list[str]:
    return [*a, *(x for x in b if x not in a)]


def compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9+*]", "", text.upper())


def iban_valid(iban: str) -> bool:
    """ISO 13616 / ISO 7064 mod-97-10: move the first four characters to the end, letters
    to numbers (A=10 ... Z=35); a valid IBAN leaves remainder 1."""
    iban = compact(iban)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def find_ibans(text: str) -> list[tuple[str, int, int]]:
    """Valid IBANs in the text, printed with or without spaces: (normal form, start, end)."""
    out: list[tuple[str, int, int]] = []
    for m in _IBAN_START.finditer(text):
        tail = text[m.start() : m.start() + 50]
        # Characters of the IBAN in order, remembering where each ends in the text.
        chars: list[tuple[str, int]] = []
        for i, ch in enumerate(tail):
            if ch.isalnum() and ch.isascii():
                chars.append((ch.upper(), i + 1))
            elif ch not in " \u00a0-":
                break
        lengths = [IBAN_LENGTHS[m.group(1)[:2]]] if m.group(1)[:2] in IBAN_LENGTHS else []
        lengths += list(range(min(len(chars), 34), 14, -1))
        for length in lengths:
            if length > len(chars):
                continue
            candidate = "".join(c for c, _ in chars[:length])
            # A whole token: the next character must not continue the last group.
            end = chars[length - 1][1]
            if end < len(tail) and tail[end].isalnum():
                continue
            if iban_valid(candidate):
                out.append((candidate, m.start(), m.start() + end))
                break
    return out


def find_vat_ids(text: str) -> list[tuple[str, int, int]]:
    """VAT ids in the text in normal form (e.g. 'FR 11 123 456 782' -> 'FR11123456782')."""
    out: list[tuple[str, int, int]] = []
    for m in _VAT_START.finditer(text):
        country = m.group(1)
        tail = text[m.end() : m.end() + 24]
        chars: list[tuple[str, int]] = []
        for i, ch in enumerate(tail):
            if ch.isalnum() and ch.isascii():
                chars.append((ch.upper(), i + 1))
            elif ch not in " .-":
                break
        for length in range(len(chars), 1, -1):
            end = chars[length - 1][1]
            if end < len(tail) and tail[end].isalnum():
                continue
            candidate = country + "".join(c for c, _ in chars[:length])
            if _VAT_RE[country].fullmatch(candidate):
                if not (country in IBAN_LENGTHS and iban_valid(candidate)):
                    out.append((candidate, m.start(), m.end() + end))
                break
    return out


def find_account_numbers(text: str) -> list[tuple[str, int, int]]:
    """Labelled bank account numbers (and UK sort codes, as 'sortcode:NNNNNN')."""
    out = [(compact(m.group(1)), m.start(1), m.end(1)) for m in _ACCOUNT_RE.finditer(text)]
    out += [
        ("sortcode:" + compact(m.group(1)), m.start(1), m.end(1))
        for m in _SORT_CODE_RE.finditer(text)
    ]
    return out


def identity_of(text: str) -> SupplierIdentity:
    """Every identifier on a page (the buyer's too: the caller decides whose is whose)."""
    ibans = [i for i, _, _ in find_ibans(text)]
    return SupplierIdentity(
        vat_ids=_union([], [v for v, _, _ in find_vat_ids(text)]),
        ibans=_union([], ibans),
        account_numbers=_union([], [a for a, _, _ in find_account_numbers(text)]),
    )


def name_key(name: str | None) -> str:
    """A supplier name's comparison key: legal form dropped, then the identifier normal
    form ('Coolblue B.V.' and 'COOLBLUE BV' are both 'coolblue')."""
    if not name:
        return ""
    lowered = " ".join(name.casefold().split())
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FORMS:
            if lowered.endswith(" " + form) or lowered.endswith("," + form):
                lowered = lowered[: -len(form)].rstrip(" ,&")
                changed = True
    return normalise_identifier(lowered) or normalise_identifier(name) or ""


def display_id(value: str) -> str:
    """An identifier as people read it: IBANs in groups of four."""
    if iban_valid(value):
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value
