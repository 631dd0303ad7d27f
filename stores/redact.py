"""Mask secrets and personal data before anything is written to the audit log.

By key name: values under secret-like keys (token, secret, password,
authorization, api_key, ...) are replaced; bank identifiers under keys like
iban/account_number keep only their last four characters. Numbers are never
masked by key (token *counts* are usage, not secrets).

In free text: IBANs, card-like numbers (Luhn-valid), account numbers after an
"account"/"a/c" label, bearer tokens, well-known API key shapes, passwords in
URLs and email addresses are masked. A value that is exactly one email address
is kept: it names an actor or recipient, which the audit must show.

Amounts, supplier names and invoice numbers are business facts and are kept.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"

_SECRET_KEY_PARTS: tuple[str, ...] = (
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "authorization",
    "api_key",
    "apikey",
    "private_key",
    "credential",
    "cookie",
    "signature",
    "access_key",
    "session_key",
)
_BANK_KEY_PARTS: tuple[str, ...] = (
    "iban",
    "account_number",
    "bank_account",
    "sort_code",
    "card_number",
    "routing_number",
)
# Business facts that stay readable whatever they look like.
_KEEP_KEYS: frozenset[str] = frozenset(
    {"invoice_number", "supplier_name", "buyer_name", "supplier_vat_id", "bill_id"}
)

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\w])\d(?:[ -]?\d){12,18}(?![\w])")
_ACCOUNT = re.compile(
    r"(?i)\b(account(?:\s+(?:no|number|nr))?\.?|acct\.?|a/c|konto(?:nummer)?|sort\s+code)"
    r"(\s*[:#]?\s*)([0-9][0-9 -]{3,}[0-9])"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_API_KEY = re.compile(
    r"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16})\b"
)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)([^@\s]+)(@)")


def _normalise_key(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def _is_secret_key(key: str) -> bool:
    norm = _normalise_key(key)
    return any(part in norm for part in _SECRET_KEY_PARTS)


def _is_bank_key(key: str) -> bool:
    norm = _normalise_key(key)
    return any(part in norm for part in _BANK_KEY_PARTS)


def _last_four(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value)
    return f"****{compact[-4:]}" if len(compact) > 4 else "****"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"[card {_last_four(digits)}]" if _luhn_ok(digits) else match.group(0)


def redact_text(text: str) -> str:
    """Mask personal and secret values inside free text."""
    if _EMAIL.fullmatch(text.strip()):
        return text
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _API_KEY.sub(REDACTED, text)
    text = _EMAIL.sub("[email]", text)
    text = _IBAN.sub(lambda m: f"[IBAN {_last_four(m.group(0))}]", text)
    text = _ACCOUNT.sub(
        lambda m: f"{m.group(1)}{m.group(2)}[account {_last_four(m.group(3))}]", text
    )
    return _CARD.sub(_mask_card, text)


def redact(payload: Any) -> Any:
    """A redacted copy of `payload` (dicts, lists, strings, numbers)."""
    if isinstance(payload, dict):
        return {key: _redact_value(str(key), value) for key, value in payload.items()}
    if isinstance(payload, list | tuple):
        return [redact(item) for item in payload]
    if isinstance(payload, str):
        return redact_text(payload)
    return payload


def _redact_value(key: str, value: Any) -> Any:
    if _normalise_key(key) in _KEEP_KEYS and not isinstance(value, dict | list):
        return value
    if isinstance(value, str):
        if _is_secret_key(key):
            return REDACTED if value else value
        if _is_bank_key(key):
            return _last_four(value)
    return redact(value)
