"""Optional OCR for scans and photos, with RapidOCR (ONNX Runtime, CPU; models ship in the wheel).

Install with ``pip install .[ocr]``. Everything here imports the engine lazily, so the
core install works without it and reports ``ocr_not_installed`` instead.

PDF pages are rendered with pypdfium2 (already installed with pdfplumber). Images are
size-checked before they are decoded: a small file can declare a gigantic canvas.
"""

from __future__ import annotations

import importlib.util
import io
import threading
import time
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from PIL import Image
from pydantic import BaseModel, ConfigDict

from vouchflow.documents.pdfium_lock import PDFIUM_LOCK

OCR_INSTALL_HINT = "OCR not installed (pip install .[ocr])"
# A canvas above this many pixels is refused (about a 600 dpi A3 scan).
MAX_IMAGE_PIXELS = 70_000_000
# ~137 dpi on A4. Measured on a rendered invoice (2 CPUs): 1600 px reads it perfectly in
# ~1.9 s, 2000 px in ~4-5 s with the same text, 1200 px starts merging words.
RENDER_LONG_SIDE_PX = 1600
MAX_TIFF_FRAMES = 50


class OcrLimitError(Exception):
    """The image is too large to decode safely, or OCR ran past its time budget."""


class OcrPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    mean_confidence: float | None = None
    boxes: int = 0


@lru_cache(maxsize=1)
def ocr_available() -> bool:
    return (
        importlib.util.find_spec("rapidocr_onnxruntime") is not None
        and importlib.util.find_spec("onnxruntime") is not None
    )


_engine_lock = threading.Lock()
_engine: Any = None


def _get_engine() -> Any:
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


def _lines_from_boxes(results: Sequence[Any]) -> tuple[str, float | None]:
    """Group detected boxes into text lines (top to bottom, left to right)."""
    items = []
    for box, text, score in results:
        ys = [float(p[1]) for p in box]
        xs = [float(p[0]) for p in box]
        items.append((min(ys), max(ys), min(xs), str(text), float(score)))
    items.sort(key=lambda it: (it[0], it[2]))
    lines: list[list[tuple[float, float, float, str, float]]] = []
    for item in items:
        top, bottom = item[0], item[1]
        if lines:
            last = lines[-1]
            l_top = min(i[0] for i in last)
            l_bottom = max(i[1] for i in last)
            overlap = min(bottom, l_bottom) - max(top, l_top)
            # Same line when the boxes share most of their height.
            if overlap > 0.5 * min(bottom - top, l_bottom - l_top):
                last.append(item)
                continue
        lines.append([item])
    text = "\n".join(" ".join(i[3] for i in sorted(line, key=lambda i: i[2])) for line in lines)
    scores = [i[4] for i in items]
    return text, (sum(scores) / len(scores) if scores else None)


def ocr_pil_image(image: Image.Image) -> OcrPage:
    import numpy as np

    rgb = image.convert("RGB")
    results, _ = _get_engine()(np.asarray(rgb))
    if not results:
        return OcrPage(text="", mean_confidence=None, boxes=0)
    text, confidence = _lines_from_boxes(results)
    return OcrPage(text=text, mean_confidence=confidence, boxes=len(results))


def _check_canvas(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise OcrLimitError(
            f"image declares {width}x{height} pixels, above the {MAX_IMAGE_PIXELS:,}-pixel limit"
        )


def _bounded_frames(image: Image.Image) -> Iterable[Image.Image]:
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_TIFF_FRAMES:
        raise OcrLimitError(f"image has {frames} frames, above the {MAX_TIFF_FRAMES} limit")
    for index in range(frames):
        image.seek(index)
        _check_canvas(image)
        yield image


def ocr_image_bytes(data: bytes, *, time_budget_s: float) -> list[OcrPage]:
    """OCR a PNG/JPEG/TIFF (every TIFF frame is a page)."""
    started = time.monotonic()
    # Opening reads only the header, so the canvas check runs before any pixel is decoded.
    try:
        opened = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise OcrLimitError(str(exc)) from None
    with opened as image:
        pages = []
        for frame in _bounded_frames(image):
            if time.monotonic() - started > time_budget_s:
                raise OcrLimitError(f"OCR exceeded its {time_budget_s:.0f}s budget")
            pages.append(ocr_pil_image(_downscaled(frame.copy())))
        return pages


def _downscaled(image: Image.Image) -> Image.Image:
    long_side = max(image.size)
    if long_side <= RENDER_LONG_SIDE_PX * 1.5:
        return image
    factor = RENDER_LONG_SIDE_PX / long_side
    return image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))))


def ocr_pdf_pages(
    pdf_bytes: bytes, page_indexes: Sequence[int], *, time_budget_s: float
) -> dict[int, OcrPage]:
    """Render the given pages with pypdfium2 and OCR them."""
    import pypdfium2 as pdfium

    started = time.monotonic()
    out: dict[int, OcrPage] = {}
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf_bytes)
    try:
        for index in page_indexes:
            if time.monotonic() - started > time_budget_s:
                raise OcrLimitError(f"OCR exceeded its {time_budget_s:.0f}s budget")
            with PDFIUM_LOCK:  # pdfium calls only; the OCR itself runs unlocked
                page = document[index]
                try:
                    width, height = page.get_size()
                    # Fit the long side to the render size (huge MediaBoxes stay bounded).
                    scale = RENDER_LONG_SIDE_PX / max(width, height, 1.0)
                    bitmap = page.render(scale=scale)
                    image = bitmap.to_pil()
                finally:
                    page.close()
            out[index] = ocr_pil_image(image)
    finally:
        with PDFIUM_LOCK:
            document.close()
    return out
