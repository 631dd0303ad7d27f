"""The supplier template store: versioned, append-only.

Every learn, update and removal is a new row (a version); nothing is overwritten and a
removal is a tombstone, so `templates show` can say what a template was at any time,
who taught it (the approver), from which workflow and document. Writes are idempotent
by a key derived from the workflow id, so a retried activity never adds a version.

Backends: SQLite (default, a file under the vouchflow home) and PostgreSQL (when
`VOUCHFLOW_TEMPLATES_DSN`, `[templates] dsn`, or else the audit DSN is configured).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from vouchflow.invoice.templates.models import SupplierTemplate
from vouchflow.settings.config import Settings
from vouchflow.stores.audit import audit_dsn

TEMPLATES_DSN_ENV = "VOUCHFLOW_TEMPLATES_DSN"
TemplateAction = Literal["learned", "updated", "removed"]


class TemplateVersion(BaseModel):
    """One row of the store: a template as it was after one learn, update or removal."""

    model_config = ConfigDict(extra="forbid")

    template_id: str
    version: int
    action: TemplateAction
    supplier_name: str
    template: SupplierTemplate | None  # None for a removal (tombstone)
    actor: str
    workflow_id: str | None = None
    document_sha256: str | None = None
    reason: str = ""
    idempotency_key: str
    created_at: dt.datetime

    @property
    def live(self) -> bool:
        return self.action != "removed"


class TemplateNotFound(LookupError):
    """No template with that id or supplier name."""


class TemplateStore(Protocol):
    """Synchronous by design: activities call it through `asyncio.to_thread`."""

    def append(
        self,
        *,
        template_id: str,
        action: TemplateAction,
        supplier_name: str,
        template: SupplierTemplate | None,
        actor: str,
        idempotency_key: str,
        now: dt.datetime,
        workflow_id: str | None = None,
        document_sha256: str | None = None,
        reason: str = "",
    ) -> TemplateVersion: ...

    def versions(self, template_id: str) -> list[TemplateVersion]: ...

    def latest_all(self) -> list[TemplateVersion]: ...


def live_templates(store: TemplateStore) -> list[SupplierTemplate]:
    return [v.template for v in store.latest_all() if v.live and v.template is not None]


def latest(store: TemplateStore, template_id: str) -> TemplateVersion | None:
    versions = store.versions(template_id)
    return versions[-1] if versions else None


def resolve(store: TemplateStore, supplier_or_id: str) -> TemplateVersion:
    """The latest version of the template named by its id or its supplier's name."""
    from vouchflow.invoice.templates.identity import name_key

    wanted = supplier_or_id.strip()
    key = name_key(wanted)
    for version in store.latest_all():
        if version.template_id == wanted or (key and name_key(version.supplier_name) == key):
            return version
    raise TemplateNotFound(
        f"no supplier template {wanted[:80]!r}: `vouchflow templates list` shows the"
        " template ids and suppliers"
    )


def next_version(store: TemplateStore, template_id: str) -> int:
    current = latest(store, template_id)
    return 1 if current is None else current.version + 1


def templates_dsn(settings: Settings, env: dict[str, str] | None = None) -> str | None:
    environ = os.environ if env is None else env
    if environ.get(TEMPLATES_DSN_ENV):
        return environ[TEMPLATES_DSN_ENV]
    section = settings.integrations.get("templates", {})
    dsn = section.get("dsn") if isinstance(section, dict) else None
    return str(dsn) if dsn else audit_dsn(settings, env)


def templates_db_path(settings: Settings) -> os.PathLike[str]:
    return settings.home / "templates.sqlite3"


def open_template_store(settings: Settings, env: dict[str, str] | None = None) -> TemplateStore:
    """PostgreSQL when a DSN is configured, else the SQLite file under the home directory."""
    dsn = templates_dsn(settings, env)
    if dsn:
        from vouchflow.stores.templates_postgres import PostgresTemplateStore

        return PostgresTemplateStore(dsn)
    from vouchflow.stores.templates_sqlite import SqliteTemplateStore

    return SqliteTemplateStore(settings.home / "templates.sqlite3")


COLUMNS = (
    "template_id, version, action, supplier_name, template, actor, workflow_id,"
    " document_sha256, reason, idempotency_key, created_at"
)


def version_from_row(row: tuple[object, ...]) -> TemplateVersion:
    (tid, version, action, supplier, body, actor, wf, sha, reason, key, created) = row
    return TemplateVersion(
        template_id=str(tid),
        version=int(str(version)),
        action=action,
        supplier_name=str(supplier),
        template=SupplierTemplate.model_validate_json(str(body)) if body else None,
        actor=str(actor),
        workflow_id=str(wf) if wf is not None else None,
        document_sha256=str(sha) if sha is not None else None,
        reason=str(reason or ""),
        idempotency_key=str(key),
        created_at=dt.datetime.fromisoformat(str(created)),
    )


def new_row(
    *,
    template_id: str,
    version: int,
    action: TemplateAction,
    supplier_name: str,
    template: SupplierTemplate | None,
    actor: str,
    idempotency_key: str,
    now: dt.datetime,
    workflow_id: str | None,
    document_sha256: str | None,
    reason: str,
) -> tuple[object, ...]:
    """The row a new version is stored as, in COLUMNS order (read back by
    `version_from_row`): the template carries its version number and when it was learned."""
    learned_at = now.astimezone(dt.UTC)
    body = None
    if template is not None:
        body = template.model_copy(
            update={"version": version, "learned_at": learned_at}
        ).model_dump_json()
    return (
        template_id,
        version,
        action,
        supplier_name,
        body,
        actor,
        workflow_id,
        document_sha256,
        reason,
        idempotency_key,
        learned_at.isoformat(),
    )
