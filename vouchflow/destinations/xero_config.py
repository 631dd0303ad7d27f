"""The `[xero]` section of vouchflow.toml and the Xero credentials from the environment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vouchflow.settings.config import Duration

DEFAULT_IDENTITY_URL = "https://identity.xero.com"
DEFAULT_API_URL = "https://api.xero.com/api.xro/2.0"
REQUIRED_ENV = ("XERO_CLIENT_ID", "XERO_CLIENT_SECRET", "XERO_TENANT_ID")


class XeroSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # What to do when the supplier has no contact in Xero. "review" fails closed.
    missing_contact: Literal["review", "create"] = "review"
    account_code: str = "429"
    # VAT/GST rate (percent) -> Xero TaxType. A rate with no entry stops the bill.
    tax_types: dict[Decimal, str] = Field(default_factory=dict)
    # TaxType for lines whose rate the invoice does not state (None: stop the bill).
    unknown_rate_tax_type: str | None = None
    # Shown in Xero as the bill's source link; {workflow_id} is filled in.
    source_url_template: str | None = None
    timeout: Duration = dt.timedelta(seconds=30)
    max_concurrent_calls: int = 5

    @field_validator("unknown_rate_tax_type", "source_url_template", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    def tax_type_for(self, rate: Decimal | None) -> str | None:
        if rate is None:
            return self.unknown_rate_tax_type
        for known, tax_type in self.tax_types.items():
            if known == rate:
                return tax_type
        return None

    @classmethod
    def from_integrations(cls, integrations: Mapping[str, Any]) -> XeroSettings:
        return cls.model_validate(integrations.get("xero", {}))


class XeroCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str
    client_secret: str = Field(repr=False)
    tenant_id: str
    identity_url: str = DEFAULT_IDENTITY_URL
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> XeroCredentials:
        missing = [name for name in REQUIRED_ENV if not env.get(name)]
        if missing:
            raise ValueError(f"Xero needs {', '.join(missing)} in the environment")
        return cls(
            client_id=env["XERO_CLIENT_ID"],
            client_secret=env["XERO_CLIENT_SECRET"],
            tenant_id=env["XERO_TENANT_ID"],
            identity_url=env.get("XERO_IDENTITY_URL") or DEFAULT_IDENTITY_URL,
            api_url=env.get("XERO_API_URL") or DEFAULT_API_URL,
        )
