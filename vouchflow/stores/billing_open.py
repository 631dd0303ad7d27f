"""Open the billing store a worker is configured for."""

from __future__ import annotations

from pathlib import Path

from vouchflow.stores.billing import BillingStore

DB_FILE = "billing.sqlite3"


def open_billing_store(backend: str, home: Path, url: str | None) -> BillingStore:
    if backend == "postgres":
        if not url:
            raise ValueError("the postgres billing store needs VOUCHFLOW_BILLING_URL")
        from vouchflow.stores.billing_postgres import PostgresBillingStore

        return PostgresBillingStore(url)
    from vouchflow.stores.billing_sqlite import SqliteBillingStore

    return SqliteBillingStore(Path(home) / DB_FILE)
