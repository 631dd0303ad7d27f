"""Native PDF text with pypdf, guarded against hostile files.

pypdf was chosen over pdfplumber by measurement (``evals/text_extraction_bench.py``):
as many ground-truth strings found on the corpus (68 vs 67 of 80), about 3x less time
per page, and it is already the library that opens the PDF for page counts, decryption
and attachments.

Order of checks, cheapest first, so a hostile file is rejected before it costs much:
end-of-file marker (truncation) -> parse -> encryption -> declared page count ->
bounded inflate of every content stream (decompression bombs) -> per-page extraction
under a time budget and a text cap. pypdf's own decoding limits are lowered to our cap
while we work, so a stream we did not pre-scan cannot inflate without bound either.

The time budget is checked between pages (pypdf offers no way to interrupt a page);
the inflate cap is what bounds the work a single page can cause.
"""

from __future__ import annotations

import io
import time
import zlib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pypdf import PdfReader
from pypdf.errors import DependencyError, LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from schemas.common.documents import BadInputCode
from vouchflow.documents.einvoice import pick_embedded_xml_or_error
from vouchflow.documents.pdf_limits import pypdf_limits

# Total decompressed size of all page content streams we accept. A dense 200-page
# invoice stays far below; a FlateDecode stream of zeros crosses it at once.
MAX_INFLATED_CONTENT_BYTES = 64_000_000
DEFAULT_TIME_BUDGET_S = 60.0
# A page with fewer visible characters than this has no usable text layer.
MIN_PAGE_CHARS = 16
_INFLATE_CHUNK = 1_048_576
_MAX_XOBJECT_DEPTH = 4


class PdfText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    bad_input_code: BadInputCode | None = None
    reason: str | None = None
    pages: int = 0
    page_texts: list[str] = Field(default_factory=list)
    # Pages (0-based) whose text layer is empty or nearly so: OCR candidates.
    textless_pages: list[int] = Field(default_factory=list)
    truncated: bool = False
    einvoice_format: str | None = None
    einvoice_xml: bytes | None = None
    # An attachment under a standard e-invoice name that could not be used, and why.
    einvoice_error: str | None = None
    notes: list[str] = Field(default_factory=list)


class _Bomb(Exception):
    pass


def _fail(code: BadInputCode, reason: str, pages: int = 0) -> PdfText:
    return PdfText(ok=False, bad_input_code=code, reason=reason, pages=pages)


def _inflated_size(raw: bytes, limit: int) -> int:
    """Decompressed size of a zlib stream, counting at most ``limit + 1`` bytes."""
    decompressor = zlib.decompressobj()
    total = 0
    data = raw
    try:
        while data and total <= limit:
            chunk = decompressor.decompress(data, _INFLATE_CHUNK)
            total += len(chunk)
            data = decompressor.unconsumed_tail
        if total <= limit:
            total += len(decompressor.flush())
    except zlib.error:
        # Broken deflate data is pypdf's problem (it recovers or raises); not a bomb.
        return total
    return total


def _filters(stream: StreamObject) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, ArrayObject):
        return [str(v) for v in value]
    return [str(value)]


def _content_streams(obj: Any, depth: int, seen: set[int]) -> Iterator[StreamObject]:
    """Page contents and the form XObjects they draw (nested forms, bounded depth)."""
    if depth > _MAX_XOBJECT_DEPTH:
        return
    resolved = obj.get_object() if isinstance(obj, IndirectObject) else obj
    if id(resolved) in seen:
        return
    seen.add(id(resolved))
    if isinstance(resolved, ArrayObject):
        for item in resolved:
            yield from _content_streams(item, depth, seen)
    elif isinstance(resolved, StreamObject):
        yield resolved


def _page_streams(page: DictionaryObject, seen: set[int]) -> Iterator[StreamObject]:
    if "/Contents" in page:
        yield from _content_streams(page["/Contents"], 0, seen)
    yield from _xobject_streams(page, 0, seen)


def _xobject_streams(
    holder: DictionaryObject, depth: int, seen: set[int]
) -> Iterator[StreamObject]:
    if depth > _MAX_XOBJECT_DEPTH:
        return
    resources = holder.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject):
        return
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, DictionaryObject):
        return
    for ref in xobjects.values():
        xobj = ref.get_object()
        if not isinstance(xobj, StreamObject) or id(xobj) in seen:
            continue
        if xobj.get("/Subtype") != "/Form":
            continue  # images are never decoded for text extraction
        seen.add(id(xobj))
        yield xobj
        yield from _xobject_streams(xobj, depth + 1, seen)


def _check_inflation(reader: PdfReader, cap: int) -> None:
    budget = cap
    seen: set[int] = set()
    for page in reader.pages:
        for stream in _page_streams(page, seen):
            filters = _filters(stream)
            raw = getattr(stream, "_data", b"")
            if filters[:1] == ["/FlateDecode"] and isinstance(raw, bytes):
                size = _inflated_size(raw, budget)
            else:
                size = len(raw) if isinstance(raw, bytes) else 0
            budget -= size
            if budget < 0:
                raise _Bomb(
                    f"page content inflates beyond {cap:,} bytes "
                    f"(compressed file is much smaller): decompression bomb"
                )


def _declared_page_count(reader: PdfReader) -> int | None:
    try:
        root = reader.trailer["/Root"].get_object()
        pages = root["/Pages"].get_object() if isinstance(root, DictionaryObject) else None
        count = pages.get("/Count") if isinstance(pages, DictionaryObject) else None
        return int(count) if count is not None else None
    except Exception:
        return None


def read_pdf(
    data: bytes,
    *,
    max_pages: int,
    max_text_chars: int,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    max_inflated_bytes: int = MAX_INFLATED_CONTENT_BYTES,
) -> PdfText:
    if b"%%EOF" not in data[-2048:]:
        return _fail("corrupt_pdf", "PDF is truncated or damaged: no end-of-file marker")
    with pypdf_limits(max_inflated_bytes):
        try:
            return _read(data, max_pages, max_text_chars, time_budget_s, max_inflated_bytes)
        except _Bomb as exc:
            return _fail("decompression_bomb", str(exc))
        except LimitReachedError as exc:
            return _fail("decompression_bomb", f"PDF exceeds a decoding limit: {exc}")
        except RecursionError:
            return _fail("corrupt_pdf", "PDF structure is nested too deeply to read")
        except Exception as exc:
            return _fail("corrupt_pdf", f"PDF could not be read: {type(exc).__name__}: {exc}")


def _read(
    data: bytes, max_pages: int, max_text_chars: int, time_budget_s: float, cap: int
) -> PdfText:
    started = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:
        return _fail("corrupt_pdf", f"PDF could not be parsed: {type(exc).__name__}: {exc}")

    if reader.is_encrypted:
        try:
            # Many PDFs are encrypted only against editing, with an empty open password.
            opened = reader.decrypt("")
        except DependencyError as exc:
            return _fail("encrypted_pdf", f"PDF is encrypted with an unsupported cipher: {exc}")
        if not opened:
            return _fail("encrypted_pdf", "PDF is password-protected; send an unprotected copy")

    declared = _declared_page_count(reader)
    if declared is not None and declared > max_pages:
        return _fail(
            "too_many_pages", f"PDF has {declared:,} pages, above the {max_pages} limit", declared
        )
    page_count = len(reader.pages)
    if page_count > max_pages:
        return _fail(
            "too_many_pages",
            f"PDF has {page_count:,} pages, above the {max_pages} limit",
            page_count,
        )
    if page_count == 0:
        return _fail("corrupt_pdf", "PDF has no pages")

    _check_inflation(reader, cap)

    result = PdfText(ok=True, pages=page_count)
    try:
        embedded, result.einvoice_error = pick_embedded_xml_or_error(reader.attachments)
    except Exception as exc:
        embedded = None
        result.notes.append(f"attachments could not be listed: {type(exc).__name__}")
    if embedded is not None:
        result.einvoice_format, result.einvoice_xml = embedded

    total_chars = 0
    for index, page in enumerate(reader.pages):
        if time.monotonic() - started > time_budget_s:
            return _fail(
                "decompression_bomb",
                f"text extraction ran past its {time_budget_s:.0f}s budget at page {index + 1}",
                page_count,
            )
        if total_chars >= max_text_chars:
            result.truncated = True
            break
        try:
            text = page.extract_text() or ""
        except LimitReachedError:
            raise
        except Exception as exc:
            text = ""
            result.notes.append(f"page {index + 1}: text layer unreadable ({type(exc).__name__})")
        result.page_texts.append(text)
        total_chars += len(text)
        if sum(1 for c in text if not c.isspace()) < MIN_PAGE_CHARS:
            result.textless_pages.append(index)
    return result
