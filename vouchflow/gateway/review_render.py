"""A document page as a picture for the review page: PDF pages through PDFium
(pypdfium2), scanned images through Pillow, both re-encoded as PNG.

Only documents the workflow's reader accepted are rendered (the page-count and
decompression checks ran there), and each picture is bounded: at most
``MAX_PAGES_SHOWN`` pages, at most ``MAX_PIXELS`` pixels per page, so a page
declaring a huge size cannot make the gateway allocate gigabytes.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from vouchflow.documents.pdfium_lock import PDFIUM_LOCK

MAX_PAGES_SHOWN = 5
# About 1,200 x 1,700 pixels: an A4 page at 144 dpi, sharp enough to read small print.
TARGET_WIDTH_PX = 1200
MAX_PIXELS = 4_000_000
# The reader's sniffed media types (DocumentText.detected_type), never the file name.
PDF_KINDS = frozenset({"application/pdf"})
IMAGE_KINDS = frozenset({"image/png", "image/jpeg", "image/tiff"})
RENDERABLE = PDF_KINDS | IMAGE_KINDS

# PDFium is not thread-safe: one pdfium user at a time in this process.
_PDFIUM = PDFIUM_LOCK


class PageNotRenderable(ValueError):
    """The page does not exist or the document is not a kind we draw."""


def _scale_for(width_pt: float, height_pt: float) -> float:
    scale = TARGET_WIDTH_PX / max(width_pt, 1.0)
    pixels = width_pt * height_pt * scale * scale
    if pixels > MAX_PIXELS:
        scale *= (MAX_PIXELS / pixels) ** 0.5
    return scale


def render_pdf_page(data: bytes, page: int) -> bytes:
    import pypdfium2

    with _PDFIUM:
        pdf = pypdfium2.PdfDocument(data)
        try:
            if not 0 <= page < min(len(pdf), MAX_PAGES_SHOWN):
                raise PageNotRenderable(f"no page {page + 1} to show")
            pdf_page = pdf[page]
            try:
                width, height = pdf_page.get_size()
                bitmap = pdf_page.render(scale=_scale_for(width, height))
                image = bitmap.to_pil()
            finally:
                pdf_page.close()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def render_image_page(data: bytes, page: int) -> bytes:
    from PIL import Image

    if page != 0:
        raise PageNotRenderable(f"no page {page + 1} to show")
    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > MAX_PIXELS * 16:
            raise PageNotRenderable("the image is too large to show")
        picture = image.convert("RGB")
        picture.thumbnail((TARGET_WIDTH_PX, TARGET_WIDTH_PX * 2))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def render_page(data: bytes, kind: str | None, page: int) -> bytes:
    """PNG bytes of one page of a document of the sniffed media type `kind`."""
    if kind in PDF_KINDS:
        return render_pdf_page(data, page)
    if kind in IMAGE_KINDS:
        return render_image_page(data, page)
    raise PageNotRenderable(f"{kind or 'this document'} is shown as text")


class RenderCache:
    """The last few rendered pages (a reviewer flips between the queue and an item)."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int]) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, int], png: bytes) -> None:
        with self._lock:
            self._items[key] = png
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
