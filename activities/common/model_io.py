"""What a model saw and answered, kept in the blob store so `explain` can show it after
Temporal has forgotten the run: the exact conversation sent (prompt and document) and
the raw answer, redacted. History and the audit trail carry only the references."""

from __future__ import annotations

from schemas.invoice.extraction import LlmAttempt
from vouchflow.documents.blobs import BlobStore


def store_model_io(attempts: list[LlmAttempt], blobs: BlobStore) -> list[LlmAttempt]:
    stored: list[LlmAttempt] = []
    for attempt in attempts:
        update: dict[str, object] = {"raw_output": None, "input_text": None}
        if attempt.raw_output is not None:
            update["raw_output_ref"] = blobs.put_text(attempt.raw_output).sha256
        if attempt.input_text is not None:
            ref = blobs.put_text(attempt.input_text).sha256
            update["input_ref"] = ref
            update["input_sha256"] = ref
        stored.append(attempt.model_copy(update=update))
    return stored
