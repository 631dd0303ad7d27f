"""What both SQL template stores do the same way: the queries, and how a version is
appended (a retried key returns its first version; otherwise the next version number,
taken while the backend holds its per-template write lock).

A backend says only how it opens a locked write transaction and a read, which
placeholder and table name its SQL uses; the queries and the append rule live here once.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from vouchflow.invoice.templates.models import SupplierTemplate
from vouchflow.stores.templates import (
    COLUMNS,
    TemplateAction,
    TemplateVersion,
    new_row,
    version_from_row,
)

# Queries with {table}, {columns} and {p} (one parameter) for the backend to fill in.
BY_KEY = "SELECT {columns} FROM {table} WHERE idempotency_key = {p}"
MAX_VERSION = "SELECT MAX(version) FROM {table} WHERE template_id = {p}"
_ONE_PER_COLUMN = ", ".join(["{p}"] * len(COLUMNS.split(",")))
INSERT = "INSERT INTO {table} ({columns}) VALUES (" + _ONE_PER_COLUMN + ")"
VERSIONS = "SELECT {columns} FROM {table} WHERE template_id = {p} ORDER BY version"
LATEST_ALL = (
    "SELECT {columns} FROM {table} t WHERE version = (SELECT MAX(version)"
    " FROM {table} WHERE template_id = t.template_id)"
    " ORDER BY supplier_name, template_id"
)


class Rows(Protocol):
    """What a backend's `execute` returns (a DB-API cursor of either driver)."""

    def fetchone(self) -> Sequence[Any] | None: ...

    def fetchall(self) -> Sequence[Sequence[Any]]: ...


class Run(Protocol):
    """Runs one of the queries above with its parameters."""

    def __call__(self, query: str, params: Sequence[object] = ()) -> Rows: ...


class SqlTemplateStore(ABC):
    @abstractmethod
    def _writing(self, template_id: str) -> AbstractContextManager[Run]:
        """A transaction in which no other writer of `template_id` runs; committed when
        the block ends, rolled back when it raises."""

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Run]: ...

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
    ) -> TemplateVersion:
        with self._writing(template_id) as run:
            existing = run(BY_KEY, (idempotency_key,)).fetchone()
            if existing is not None:
                return version_from_row(tuple(existing))
            row = run(MAX_VERSION, (template_id,)).fetchone()
            values = new_row(
                template_id=template_id,
                version=int((row[0] if row else None) or 0) + 1,
                action=action,
                supplier_name=supplier_name,
                template=template,
                actor=actor,
                idempotency_key=idempotency_key,
                now=now,
                workflow_id=workflow_id,
                document_sha256=document_sha256,
                reason=reason,
            )
            run(INSERT, values)
        return version_from_row(values)

    def versions(self, template_id: str) -> list[TemplateVersion]:
        return self._all(VERSIONS, (template_id,))

    def latest_all(self) -> list[TemplateVersion]:
        return self._all(LATEST_ALL)

    def _all(self, query: str, params: Sequence[object] = ()) -> list[TemplateVersion]:
        with self._reading() as run:
            rows = run(query, params).fetchall()
        return [version_from_row(tuple(r)) for r in rows]
