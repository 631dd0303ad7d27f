"""The billing store on PostgreSQL (psycopg 3): tables in their own schema (default
`vouchflow_billing`, varied by tests), a row lock on the subscription while a change is
applied, one connection per call (calls are few: a handful per proposal)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from vouchflow.stores.billing import BillingStore, Cursor, Dialect, iter_ddl, sample_billing
from vouchflow.stores.postgres_schema import create_schema

DEFAULT_SCHEMA = "vouchflow_billing"
# DDL of concurrent workers starting at once is serialised on this advisory lock.
_DDL_LOCK_ID = 0x766F756362696C6C


class _PgCursor:
    def __init__(self, cur: psycopg.Cursor[Any], prefix: str) -> None:
        self._cur = cur
        self._prefix = prefix

    def execute(self, text: str, params: tuple[Any, ...] = ()) -> Any:
        return self._cur.execute(text.format(p=self._prefix).replace("?", "%s"), params)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall()


class PostgresBillingStore(BillingStore):
    def __init__(
        self, url: str, *, schema: str = DEFAULT_SCHEMA, seed_samples: bool = True
    ) -> None:
        self._url = url
        self.schema = schema
        self._prefix = f"{sql.Identifier(schema).as_string(None)}."
        self.dialect = Dialect(transaction=self._transaction, lock=" FOR UPDATE")
        create_schema(url, schema, iter_ddl(self._prefix), lock_id=_DDL_LOCK_ID)
        if seed_samples and self.is_empty():
            self.seed(sample_billing())

    @contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        with psycopg.connect(self._url, autocommit=False) as conn, conn.cursor() as cur:
            yield _PgCursor(cur, self._prefix)

    def close(self) -> None:
        pass
