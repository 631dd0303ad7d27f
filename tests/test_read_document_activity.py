"""The read_document activity heartbeats while a slow read (OCR) runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

import activities.invoice.documents as documents_activity
from activities.common.deps import build_deps
from schemas.common.documents import BlobRef, DocumentText
from schemas.invoice.workflow import ReadDocumentInput
from tests.conftest import make_settings


async def test_slow_reads_heartbeat(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    deps = build_deps(settings)
    ref = deps.blobs.put(b"%PDF-1.7 scan", "application/pdf")

    def slow_read(data: bytes, **_: Any) -> DocumentText:
        time.sleep(0.5)  # stands in for OCR of a long scan
        return DocumentText(ok=True, method="ocr", pages=1, chars=len(data))

    monkeypatch.setattr(documents_activity, "read_document", slow_read)
    monkeypatch.setattr(documents_activity, "HEARTBEAT_EVERY_S", 0.05)
    beats: list[Any] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: beats.append(details)
    result = await env.run(
        documents_activity.DocumentActivities(deps).read_document,
        ReadDocumentInput(
            document=BlobRef(sha256=ref.sha256, size_bytes=ref.size_bytes),
            filename="scan.pdf",
            limits=settings.intake,
        ),
    )
    assert result.ok and result.method == "ocr"
    assert len(beats) >= 3
