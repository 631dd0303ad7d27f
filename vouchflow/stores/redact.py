"""Mask secrets and personal data before anything leaves the process: the audit log,
notifications (console, notifications.jsonl, Slack), emails and logs.

Configured secrets (every environment variable the project reads as a secret, and
any named like one: *_TOKEN, *_SECRET, *_PASSWORD, *_KEY...) are replaced wherever
they appear, as are key-shaped strings (sk-..., xoxb-..., JWTs): see scrub_secrets.
Display text from documents is made safe with clean_text (one line, no control or
invisible format characters, bounded length).

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

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Environment variables that hold secrets, by name; anything named like one of the
# suffixes below counts too (gateway client secrets, future integrations).
SECRET_ENV_NAMES: tuple[str, ...] = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "XERO_CLIENT_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SMTP_PASSWORD",
    "VOUCHFLOW_PAYLOAD_KEY",
    "VOUCHFLOW_PAYLOAD_KEY_OLD",
    "VOUCHFLOW_INTAKE_TOKEN",
    "VOUCHFLOW_INTAKE_HMAC_SECRET",
    "VOUCHFLOW_CODEC_TOKEN",
    "VOUCHFLOW_REVIEW_TOKENS",
)
_SECRET_ENV_SUFFIXES: tuple[str, ...] = (
    "_API_KEY",
    "_KEY",
    "_KEY_OLD",
    "_SECRET",
    "_TOKEN",
    "_TOKENS",
    "_PASSWORD",
    "_PASSPHRASE",
)
# Shorter values would match ordinary words; no real secret is this short.
MIN_SECRET_CHARS = 6
_registered: set[str] = set()

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
    r"(?<![A-Za-z0-9_-])(?:sk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_*-]{6,}"
    r"|xox[abposre]-[A-Za-z0-9*-]{6,}|xapp-[A-Za-z0-9*-]{6,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
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


def register_secret_values(values: Iterable[str]) -> None:
    """Secrets this process holds beyond the environment names (e.g. read from config)."""
    _registered.update(v for v in values if v and len(v) >= MIN_SECRET_CHARS)


def _is_secret_env(name: str) -> bool:
    upper = name.upper()
    return upper in SECRET_ENV_NAMES or upper.endswith(_SECRET_ENV_SUFFIXES)


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """Every configured secret value, longest first (so a value containing another is
    replaced whole)."""
    env = os.environ if env is None else env
    found = set(_registered)
    for name, value in env.items():
        if not value or not _is_secret_env(name):
            continue
        found.add(value)
        # `id:token,id:token` lists: each token is a secret of its own (ids are not).
        for item in value.split(","):
            _, sep, token = item.strip().partition(":")
            if sep:
                found.add(token)
            found.add(item.strip())
    usable = {v for v in found if len(v) >= MIN_SECRET_CHARS}
    return sorted(usable, key=len, reverse=True)


def scrub_secrets(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` without any configured secret value or key-shaped string."""
    if not text:
        return text
    for value in secret_values(env):
        if value in text:
            text = text.replace(value, REDACTED)
    return _API_KEY.sub(REDACTED, text)


def scrub_value(value: Any, env: Mapping[str, str] | None = None) -> Any:
    """scrub_secrets over every string inside dicts, lists and tuples."""
    if isinstance(value, str):
        return scrub_secrets(value, env)
    if isinstance(value, dict):
        return {k: scrub_value(v, env) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v, env) for v in value]
    return value


# Line and paragraph breaks of every kind: each would start a new line in a rendered
# text, so each becomes a space.
_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def clean_text(text: object, limit: int = 500) -> str:
    """One line of display text from untrusted input (file names, invoice fields, reasons).

    Line breaks of any kind become spaces; other control characters and invisible
    format characters (bidi overrides and isolates, zero-width characters, BOM) are
    dropped, so nothing can start a forged line or reorder what is shown; runs of
    whitespace collapse; the result is cut at `limit` characters with an ellipsis."""
    raw = "" if text is None else str(text)
    out: list[str] = []
    for char in raw:
        if char in _BREAKS or char == "\t":
            out.append(" ")
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue
        out.append(" " if category == "Zs" else char)
    cleaned = " ".join("".join(out).split())
    if len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)] + "…"
    return cleaned


def clean_block(text: object, limit: int = 20_000, line_limit: int = 1000) -> str:
    """Multi-line display text (an email body): each line cleaned as by clean_text, with
    only LF kept as the separator."""
    raw = "" if text is None else str(text)
    lines = [clean_text(line, line_limit) for line in raw.split("\n")]
    joined = "\n".join(lines)
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def redact_text(text: str, *, emails: bool = True) -> str:
    """Mask personal and secret values inside free text. `emails=False` keeps email
    addresses (messages to people, where a contact address is the point)."""
    text = scrub_secrets(text)
    if _EMAIL.fullmatch(text.strip()):
        return text
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _API_KEY.sub(REDACTED, text)
    if emails:
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
