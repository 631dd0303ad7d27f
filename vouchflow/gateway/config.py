"""The `[gateway]` section of vouchflow.toml.

Only choices and the NAMES of environment variables live here: the secrets
themselves (webhook client secrets, Slack signing secret, codec token) are read from
the environment when the app is built, never from the file and never logged.

Webhook clients each have their own credential and identity::

    [gateway.clients.acme-erp]
    auth = "bearer"                              # or "hmac"
    secret_env = "VOUCHFLOW_CLIENT_ACME_ERP"     # the variable holding its secret

A document a client uploads is recorded as submitted by that client's id, with a
signed `submit` proof, so segregation of duties applies to it like to anyone else.
The older single-secret settings (`intake_auth` + `intake_token_env` /
`intake_hmac_secret_env`) still work: they define one client named `submitted_by`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vouchflow.identity.keys import check_id

PORT_ENV = "VOUCHFLOW_GATEWAY_PORT"
HOST_ENV = "VOUCHFLOW_GATEWAY_HOST"
CODEC_TOKEN_ENV = "VOUCHFLOW_CODEC_TOKEN"
CODEC_ORIGINS_ENV = "VOUCHFLOW_CODEC_CORS_ORIGIN"
# A client secret shorter than this is refused at start-up (guessable).
MIN_SECRET_CHARS = 16

IntakeAuth = Literal["bearer", "hmac"]


class WebhookClient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # bearer: `Authorization: Bearer <secret>`; hmac: `X-Vouchflow-Signature:
    # sha256=<hex HMAC-SHA256(secret, raw body)>` (the path for GET requests).
    auth: IntakeAuth = "bearer"
    secret_env: str = Field(min_length=1)


class GatewaySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Loopback unless told otherwise: a container publishing the port sets
    # VOUCHFLOW_GATEWAY_HOST=0.0.0.0 explicitly.
    host: str = "127.0.0.1"
    port: int = 8000
    # Legacy single client (see the module docstring).
    intake_auth: IntakeAuth = "bearer"
    intake_token_env: str = "VOUCHFLOW_INTAKE_TOKEN"
    intake_hmac_secret_env: str = "VOUCHFLOW_INTAKE_HMAC_SECRET"
    hmac_header: str = "X-Vouchflow-Signature"
    slack_signing_secret_env: str = "SLACK_SIGNING_SECRET"
    # A raw (non-multipart) upload names its file in this header or `?filename=`.
    filename_header: str = "X-Filename"
    # The legacy client's identity (recorded as `submitted_by`).
    submitted_by: str = "webhook"
    clients: dict[str, WebhookClient] = Field(default_factory=dict)
    # Slack must get an answer within 3 seconds: the decision call is cut off before.
    signal_timeout_s: float = Field(default=2.0, gt=0, le=2.5)
    # Where the Web UI runs (CORS for the codec endpoints); comma-separated.
    codec_cors_origins: str = "http://localhost:8233"

    @field_validator("clients")
    @classmethod
    def _client_ids(cls, value: dict[str, WebhookClient]) -> dict[str, WebhookClient]:
        return {check_id(name): client for name, client in value.items()}

    @field_validator("submitted_by")
    @classmethod
    def _legacy_id(cls, value: str) -> str:
        return check_id(value)

    @classmethod
    def from_integrations(cls, integrations: Mapping[str, Any]) -> GatewaySettings:
        return cls.model_validate(integrations.get("gateway", {}))

    def webhook_clients(self) -> dict[str, WebhookClient]:
        """Every configured client, the legacy one included (under `submitted_by`)."""
        clients = dict(self.clients)
        legacy_env = (
            self.intake_token_env if self.intake_auth == "bearer" else self.intake_hmac_secret_env
        )
        clients.setdefault(
            self.submitted_by, WebhookClient(auth=self.intake_auth, secret_env=legacy_env)
        )
        return clients


class ClientSecret(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str
    auth: IntakeAuth
    secret: str = Field(repr=False)


class GatewaySecrets(BaseModel):
    """Secret values from the environment. Empty = that route refuses everything."""

    model_config = ConfigDict(extra="forbid")

    clients: list[ClientSecret] = Field(default_factory=list, repr=False)
    slack_signing_secret: str = Field(default="", repr=False)
    codec_token: str = Field(default="", repr=False)

    @classmethod
    def from_env(
        cls, settings: GatewaySettings, env: Mapping[str, str] = os.environ
    ) -> GatewaySecrets:
        clients = [
            ClientSecret(client_id=name, auth=client.auth, secret=env[client.secret_env])
            for name, client in sorted(settings.webhook_clients().items())
            if env.get(client.secret_env)
        ]
        return cls(
            clients=clients,
            slack_signing_secret=env.get(settings.slack_signing_secret_env, ""),
            codec_token=env.get(CODEC_TOKEN_ENV, ""),
        )

    @property
    def intake_configured(self) -> bool:
        return bool(self.clients)

    def missing(self, settings: GatewaySettings) -> list[str]:
        """Environment variables the configured routes need but do not have."""
        configured = {c.client_id for c in self.clients}
        names = [
            client.secret_env
            for name, client in sorted(settings.webhook_clients().items())
            if name not in configured and (name != settings.submitted_by or not configured)
        ]
        if not self.slack_signing_secret:
            names.append(settings.slack_signing_secret_env)
        return names

    def weak(self) -> list[str]:
        """Client ids whose secret is too short to resist guessing."""
        return [c.client_id for c in self.clients if len(c.secret) < MIN_SECRET_CHARS]
