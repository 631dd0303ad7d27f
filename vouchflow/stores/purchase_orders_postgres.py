"""PostgreSQL purchase-order store (psycopg 3): tables in a schema of their own (default
`vouchflow_purchase_orders`, which tests vary per run); one connection per call (the
calls are few: a handful per invoice)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from vouchflow.stores.postgres_schema import create_schema
from vouchflow.stores.purchase_orders import DDL, DEFAULT_PG_SCHEMA, SqlPurchaseOrders

# Two workers creating the tables at once would race on the catalog; serialise the DDL.
_DDL_LOCK_ID = 0x766F7563687070


class PostgresPurchaseOrderStore(SqlPurchaseOrders):
    def __init__(self, url: str, *, schema: str = DEFAULT_PG_SCHEMA) -> None:
        self.url = url
        self.schema = schema
        self.prefix = f"{sql.Identifier(schema).as_string(None)}."
        # Index names are per schema in PostgreSQL, so the same names are safe.
        create_schema(url, schema, (self._q(ddl).encode() for ddl in DDL), lock_id=_DDL_LOCK_ID)

    def _q(self, text: str) -> str:
        return text.format(p=self.prefix).replace("?", "%s")

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self.url, autocommit=False) as conn:
            yield conn

    def _rows(self, query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._connect() as conn:
            return list(conn.execute(query.encode(), tuple(params)).fetchall())

    def _write(self, statements: list[tuple[str, Sequence[Any]]]) -> None:
        with self._connect() as conn:
            for query, params in statements:
                conn.execute(query.encode(), tuple(params))

    def close(self) -> None:
        pass
