"""What a document really is, from its bytes (magic numbers), never from its file name.

An ``.exe`` renamed ``invoice.pdf`` must be rejected as unsupported, and a PDF named
``scan.bin`` must still be read, so the extension is only used in messages.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal[
    "pdf",
    "png",
    "jpeg",
    "tiff",
    "xml",
    "text",
    "zip",
    "executable",
    "image_other",
    "html",
    "binary",
]

# Kinds read_document handles; every other kind is `unsupported_type`.
SUPPORTED: frozenset[str] = frozenset({"pdf", "png", "jpeg", "tiff", "xml", "text"})


class Sniffed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    media_type: str
    label: str  # human wording for reasons, e.g. "a ZIP archive (or DOCX/XLSX)"


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# Control bytes that never occur in real text (tab, LF, FF, CR and ESC aside).
_CONTROL = frozenset(
    set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x1B)) | {0x1C, 0x1D, 0x1E, 0x1F, 0x7F}
)
_SAMPLE = 65_536


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """ASCII-heavy UTF-16 without a BOM: every other byte is NUL."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def control_byte_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    return sum(1 for b in sample if b in _CONTROL) / len(sample)


def _text_head(data: bytes) -> str:
    """The first few hundred characters, decoded well enough to spot markup."""
    head = data[:1024]
    encoding = bom_encoding(head) or utf16_without_bom(head) or "utf-8"
    return head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")


def sniff(data: bytes) -> Sniffed:
    head = data[:16]
    # PDF readers accept the header anywhere in the first 1 KiB; so do we.
    if b"%PDF-" in data[:1024]:
        return Sniffed(kind="pdf", media_type="application/pdf", label="a PDF")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(kind="png", media_type="image/png", label="a PNG image")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(kind="jpeg", media_type="image/jpeg", label="a JPEG image")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return Sniffed(kind="tiff", media_type="image/tiff", label="a TIFF image")
    if head.startswith((b"GIF87a", b"GIF89a", b"BM")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return Sniffed(
            kind="image_other", media_type="image/*", label="an image type we do not OCR"
        )
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return Sniffed(
            kind="zip", media_type="application/zip", label="a ZIP archive (or DOCX/XLSX/ODT)"
        )
    if head.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")):
        return Sniffed(
            kind="executable", media_type="application/octet-stream", label="an executable"
        )
    if head.startswith((b"\xd0\xcf\x11\xe0", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh")):
        return Sniffed(
            kind="binary",
            media_type="application/octet-stream",
            label="an archive or legacy Office file",
        )

    sample = data[:_SAMPLE]
    if (
        bom_encoding(sample) is None
        and utf16_without_bom(sample) is None
        and control_byte_ratio(sample) > 0.02
    ):
        return Sniffed(kind="binary", media_type="application/octet-stream", label="binary data")

    text_head = _text_head(data).lower()
    if text_head.startswith(("<!doctype html", "<html")):
        return Sniffed(kind="html", media_type="text/html", label="an HTML page")
    if text_head.startswith("<"):
        return Sniffed(kind="xml", media_type="application/xml", label="an XML document")
    return Sniffed(kind="text", media_type="text/plain", label="plain text")
