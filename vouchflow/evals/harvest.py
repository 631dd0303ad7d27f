"""Reviewers' corrections -> regression cases, read from the hash-chained audit log.

An invoice approved with corrections (`decision.approved` carrying `corrections`) and a
corrected ticket (`classification.corrected`) each become one case in the spec's
`regression.yaml`: the input the model saw, the person's answer as the expected output,
and the provenance (workflow, run, audit record, prompt version, original and corrected
output, reason, reviewer and proof). Everything is redacted (IBANs, card and account
numbers, e-mail addresses, secrets) before it is written. A correction already
harvested (same audit record) is skipped, so running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.audit import AuditRecord
from vouchflow.documents.blobs import BlobStore, LocalBlobStore
from vouchflow.documents.reader import read_document
from vouchflow.evals.models import KEY_FIELDS, CaseMeta, Provenance
from vouchflow.evals.suites import dataset_path, suites_root
from vouchflow.evals.yaml_files import read_cases, write_dataset
from vouchflow.settings import Settings
from vouchflow.stores.audit import AuditStore
from vouchflow.stores.redact import redact, redact_text

INVOICE_SPEC = "invoice_extraction"
TICKET_SPEC = "support_ticket_classifier"


class Harvested(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spec: str
    path: Path
    added: list[str] = Field(default_factory=list)
    already: int = 0
    skipped: list[str] = Field(default_factory=list)


def _prompt_version(trail: list[AuditRecord], before_seq: int) -> str | None:
    """The prompt version the run resolved (None: no model, the embedded rules)."""
    found = None
    for record in trail:
        if record.seq < before_seq and record.type == "prompt.resolved":
            found = str(record.payload.get("version") or "") or None
    return found


def _last(trail: list[AuditRecord], type_: str, before_seq: int) -> AuditRecord | None:
    hits = [r for r in trail if r.type == type_ and r.seq < before_seq]
    return hits[-1] if hits else None


def _key_fields(invoice: dict[str, Any]) -> dict[str, Any]:
    return {f: invoice.get(f) for f in KEY_FIELDS}


def _invoice_text(
    trail: list[AuditRecord], blobs: BlobStore, settings: Settings
) -> tuple[str, str]:
    """(filename, text) of the document, read again from the kept original."""
    started = _last(trail, "workflow.started", 1 << 62)
    event = (started.payload.get("event") or {}) if started else {}
    sha, filename = event.get("document_sha256"), str(event.get("filename") or "document")
    if not sha:
        raise LookupError("the run's start record names no document")
    data = blobs.get(str(sha))
    with tempfile.TemporaryDirectory(prefix="vouchflow-harvest-") as tmp:
        scratch = LocalBlobStore(Path(tmp))
        document = read_document(
            data, filename=filename, limits=settings.intake, blobs=scratch, ocr_enabled=False
        )
        if not document.ok or document.text_ref is None:
            raise LookupError(f"the document has no text ({document.reason})")
        return filename, scratch.get_text(document.text_ref.sha256)


def _provenance(record: AuditRecord, trail: list[AuditRecord], **fields: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    prov = Provenance(
        workflow_id=record.workflow_id,
        run_id=record.run_id,
        audit_seq=record.seq,
        audit_hash=record.hash,
        prompt_version=_prompt_version(trail, record.seq),
        harvested_at=now,
        **fields,
    )
    return redact(prov.model_dump(mode="json"))


def invoice_case(
    record: AuditRecord, trail: list[AuditRecord], blobs: BlobStore, settings: Settings
) -> dict[str, Any]:
    p = record.payload
    extracted = _last(trail, "extraction.completed", record.seq)
    original = _key_fields((extracted.payload.get("invoice") or {}) if extracted else {})
    corrected = {**original, **{k: v for k, v in (p.get("corrections") or {}).items()}}
    filename, text = _invoice_text(trail, blobs, settings)
    expected = {k: v for k, v in _key_fields(corrected).items() if v is not None}
    reason = str(p.get("comment") or p.get("reason") or "")
    provenance = _provenance(
        record,
        trail,
        extractor=str(
            ((extracted.payload.get("extractor") or {}) if extracted else {}).get("name", "")
        ),
        original=original,
        corrected=_key_fields(corrected),
        reason=reason,
        reviewer=str(p.get("actor", "")),
        proof=str(p.get("proof", "")),
        channel=str(p.get("channel", "")),
        decided_at=str(p.get("at", "")),
    )
    return {
        "name": f"correction-{record.workflow_id}",
        "inputs": {"filename": filename, "text": redact_text(text)},
        "expected_output": redact(expected),
        "metadata": _meta(f"corrected by {p.get('actor', '?')}: {reason}", provenance),
    }


def ticket_case(record: AuditRecord, trail: list[AuditRecord]) -> dict[str, Any]:
    p = record.payload
    ticket = p.get("ticket") or {}
    if not ticket:
        raise LookupError("the correction does not carry the ticket it corrected")
    corrected = p.get("corrected") or {}
    original = p.get("original") or {}
    provenance = _provenance(
        record,
        trail,
        extractor=str(p.get("classifier", "")),
        original={k: original.get(k) for k in ("category", "urgency", "confidence")},
        corrected={k: corrected.get(k) for k in ("category", "urgency")},
        reason=str(p.get("reason", "")),
        reviewer=str(p.get("reviewer", "")),
        proof=str(p.get("proof", "")),
        channel=str(p.get("channel", "")),
        decided_at=str(p.get("at", "")),
    )
    return {
        "name": f"correction-{record.workflow_id}",
        "inputs": {
            "subject": redact_text(str(ticket.get("subject", ""))),
            "body": redact_text(str(ticket.get("body", ""))),
            "plan": str(p.get("plan") or "pro"),
            "channel": str(ticket.get("channel") or "email"),
            "language": str(ticket.get("language") or "en"),
        },
        "expected_output": {
            "category": corrected.get("category"),
            "urgency": corrected.get("urgency"),
        },
        "metadata": _meta(
            f"corrected by {p.get('reviewer', '?')}: {p.get('reason', '')}", provenance
        ),
    }


def _meta(why: str, provenance: dict[str, Any]) -> dict[str, Any]:
    meta = {"kind": "regression", "why": redact_text(why)[:300], "provenance": provenance}
    CaseMeta.model_validate(meta)  # what pydantic-evals will load back
    return meta


def _spec_of(record: AuditRecord) -> str | None:
    if record.type == "classification.corrected":
        return TICKET_SPEC
    if record.type == "decision.approved" and record.payload.get("corrections"):
        return INVOICE_SPEC
    return None


def harvest(
    audit: AuditStore,
    settings: Settings,
    *,
    spec: str | None = None,
    root: Path | None = None,
) -> list[Harvested]:
    records = audit.all_records()
    trails: dict[str, list[AuditRecord]] = defaultdict(list)
    for record in records:
        trails[record.workflow_id].append(record)
    specs = [spec] if spec else [INVOICE_SPEC, TICKET_SPEC]
    folder_root = root or suites_root()
    blobs = LocalBlobStore(settings.blob_dir)
    results: list[Harvested] = []
    for name in specs:
        path = dataset_path(folder_root / name, "regression")
        existing = read_cases(path)
        seen = {
            ((c.get("metadata") or {}).get("provenance") or {}).get("audit_hash") for c in existing
        } | {c.get("name") for c in existing}
        result = Harvested(spec=name, path=path)
        new: list[dict[str, Any]] = []
        for record in records:
            if _spec_of(record) != name:
                continue
            case_name = f"correction-{record.workflow_id}"
            if record.hash in seen or case_name in seen:
                result.already += 1
                continue
            trail = trails[record.workflow_id]
            try:
                case = (
                    invoice_case(record, trail, blobs, settings)
                    if name == INVOICE_SPEC
                    else ticket_case(record, trail)
                )
            except (LookupError, OSError, ValueError) as err:
                result.skipped.append(f"{record.workflow_id} (audit record {record.seq}): {err}")
                continue
            new.append(case)
            seen |= {record.hash, case_name}
            result.added.append(case_name)
        if new:
            write_dataset(path, "regression", [*existing, *new])
        results.append(result)
    return results
