"""The `[gateway]` section of vouchflow.toml.

Only choices and the NAMES of environment variables live here: the secrets
themselves (intake token, HMAC secret, Slack signing secret) are read from the
environment when the app is built, never from the file and never logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PORT_ENV = "VOUCHFLOW_GATEWAY_PORT"
HOST_ENV = "VOUCHFLOW_GATEWAY_HOST"


class GatewaySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # 0.0.0.0 so the container's published port works; every route but /healthz
    # is authenticated.
    host: str = "0.0.0.0"
    port: int = 8000
    # bearer: `Authorization: Bearer <token>`; hmac: `X-Vouchflow-Signature:
    # sha256=<hex HMAC-SHA256(secret, raw body)>` (the path for GET requests).
    intake_auth: Literal["bearer", "hmac"] = "bearer"
    intake_token_env: str = "VOUCHFLOW_INTAKE_TOKEN"
    intake_hmac_secret_env: str = "VOUCHFLOW_INTAKE_HMAC_SECRET"
    hmac_header: str = "X-Vouchflow-Signature"
    slack_signing_secret_env: str = "SLACK_SIGNING_SECRET"
    # A raw (non-multipart) upload names its file in this header or `?filename=`.
    filename_header: str = "X-Filename"
    # Recorded as `submitted_by` on the intake event (segregation of duties).
    submitted_by: str = "webhook"
    # Slack must get an answer within 3 seconds: the signal call is cut off before.
    signal_timeout_s: float = Field(default=2.0, gt=0, le=2.5)

    @classmethod
    def from_integrations(cls, integrations: Mapping[str, Any]) -> GatewaySettings:
        return cls.model_validate(integrations.get("gateway", {}))


class GatewaySecrets(BaseModel):
    """Secret values from the environment. Empty = that route refuses everything."""

    model_config = ConfigDict(extra="forbid")

    intake_token: str = Field(default="", repr=False)
    intake_hmac_secret: str = Field(default="", repr=False)
    slack_signing_secret: str = Field(default="", repr=False)

    @classmethod
    def from_env(
        cls, settings: GatewaySettings, env: Mapping[str, str] = os.environ
    ) -> GatewaySecrets:
        return cls(
            intake_token=env.get(settings.intake_token_env, ""),
            intake_hmac_secret=env.get(settings.intake_hmac_secret_env, ""),
            slack_signing_secret=env.get(settings.slack_signing_secret_env, ""),
        )

    def intake_secret(self, settings: GatewaySettings) -> str:
        return self.intake_token if settings.intake_auth == "bearer" else self.intake_hmac_secret

    def missing(self, settings: GatewaySettings) -> list[str]:
        """Environment variables the configured routes need but do not have."""
        names = []
        if not self.intake_secret(settings):
            names.append(
                settings.intake_token_env
                if settings.intake_auth == "bearer"
                else settings.intake_hmac_secret_env
            )
        if not self.slack_signing_secret:
            names.append(settings.slack_signing_secret_env)
        return names
