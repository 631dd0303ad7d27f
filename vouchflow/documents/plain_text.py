"""Decode plain-text invoices: UTF-8, UTF-16/32 with a BOM, else Windows-1252/Latin-1.

Windows-1252 decodes almost any byte string, so after the fallback we judge whether
the result reads like text; bytes in some other encoding (EBCDIC, a CJK code page)
come out as a soup of accented letters and symbols and are reported, not guessed at.
"""

from __future__ import annotations

import codecs
import unicodedata

from pydantic import BaseModel, ConfigDict

from vouchflow.documents.sniff import bom_encoding, utf16_without_bom

# Above this share of non-ASCII letters/symbols among the visible characters, a
# Windows-1252 reading is not believable: real Latin-script text stays far below it
# (French or German invoices: a few percent).
_MAX_NON_ASCII_SHARE = 0.30
# Unassigned in Windows-1252 and C1 controls in Latin-1: a few are noise, many are garbage.
_MAX_CONTROL_SHARE = 0.01


class Decoded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    text: str = ""
    encoding: str | None = None
    reason: str | None = None


def _as_c1_controls(exc: UnicodeError) -> tuple[str, int]:
    # Five byte values are unassigned in Windows-1252; read them as Latin-1 C1 controls,
    # which the garbage check then counts, instead of failing the whole document.
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(chr(b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("vouchflow-c1", _as_c1_controls)


def _cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="vouchflow-c1")


def _looks_like_text(text: str) -> bool:
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return False
    non_ascii = sum(1 for c in visible if ord(c) > 0x7E)
    controls = sum(1 for c in visible if unicodedata.category(c) in ("Cc", "Co", "Cn"))
    return (
        non_ascii / len(visible) <= _MAX_NON_ASCII_SHARE
        and controls / len(visible) <= _MAX_CONTROL_SHARE
    )


def decode_text(data: bytes) -> Decoded:
    encoding = bom_encoding(data) or utf16_without_bom(data[:65_536])
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            return Decoded(ok=False, reason=f"text claims {encoding} but does not decode: {exc}")
        return Decoded(ok=True, text=text.lstrip("\ufeff"), encoding=encoding)
    try:
        return Decoded(ok=True, text=data.decode("utf-8"), encoding="utf-8")
    except UnicodeDecodeError:
        pass
    text = _cp1252(data)
    if not _looks_like_text(text):
        return Decoded(
            ok=False,
            reason=(
                "text is not UTF-8, UTF-16 or Windows-1252/Latin-1 (it decodes to garbage); "
                "re-export it as UTF-8"
            ),
        )
    return Decoded(ok=True, text=text, encoding="cp1252")
