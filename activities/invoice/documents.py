"""Reading stored documents into text (or a bad-input reason)."""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.common.deps import ActivityDeps
from schemas.common.documents import DocumentText
from schemas.invoice.workflow import ReadDocumentInput
from vouchflow.documents.reader import read_document

HEARTBEAT_EVERY_S = 5.0


class DocumentActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="read_document")
    async def read_document(self, request: ReadDocumentInput) -> DocumentText:
        blobs = self._deps.blobs
        limits = request.limits
        if request.document.size_bytes > limits.max_file_bytes:
            # Checked before reading a single byte of a huge file.
            return DocumentText(
                ok=False,
                bad_input_code="too_large",
                reason=(
                    f"file is {request.document.size_bytes:,} bytes, above the "
                    f"{limits.max_file_bytes:,}-byte limit"
                ),
            )
        data = await asyncio.to_thread(blobs.get, request.document.sha256)
        reading = asyncio.ensure_future(
            asyncio.to_thread(
                read_document, data, filename=request.filename, limits=limits, blobs=blobs
            )
        )
        # OCR of a long scan takes a while: heartbeat so a dead worker is noticed within
        # the heartbeat timeout instead of the whole start-to-close timeout.
        while True:
            done, _ = await asyncio.wait({reading}, timeout=HEARTBEAT_EVERY_S)
            if done:
                return reading.result()
            activity.heartbeat("reading")
