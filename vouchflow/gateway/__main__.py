"""`python -m vouchflow.gateway` (or `make gateway`): serve the gateway with uvicorn.

Port from VOUCHFLOW_GATEWAY_PORT (else [gateway] port, default 8000), host from
VOUCHFLOW_GATEWAY_HOST (else [gateway] host, default 127.0.0.1: only this machine).
A webhook client secret shorter than 16 characters stops the start.
"""

from __future__ import annotations

import os
import sys

import uvicorn

from vouchflow.gateway.app import create_app
from vouchflow.gateway.config import (
    HOST_ENV,
    MIN_SECRET_CHARS,
    PORT_ENV,
    GatewaySecrets,
    GatewaySettings,
)
from vouchflow.observability.logging import configure_logging
from vouchflow.settings import load_settings


def main() -> int:
    settings = load_settings()
    configure_logging(settings)
    gateway = GatewaySettings.from_integrations(settings.integrations)
    secrets = GatewaySecrets.from_env(gateway)
    weak = secrets.weak()
    if weak:
        print(
            f"vouchflow gateway: the secret of webhook client(s) {', '.join(weak)} is shorter "
            f"than {MIN_SECRET_CHARS} characters",
            file=sys.stderr,
        )
        return 2
    missing = secrets.missing(gateway)
    if missing:
        # Routes without their secret refuse every request; say so once, by name only.
        print(
            f"vouchflow gateway: {', '.join(missing)} not set; those routes answer 503",
            file=sys.stderr,
        )
    try:
        port = int(os.environ.get(PORT_ENV) or gateway.port)
    except ValueError:
        print(f"vouchflow gateway: {PORT_ENV} must be a port number", file=sys.stderr)
        return 2
    host = os.environ.get(HOST_ENV) or gateway.host
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True)
    return 0


if __name__ == "__main__":
    from vouchflow.runtime.exit import exit_process

    # Exit without racing the Temporal runtime's threads at interpreter shutdown.
    exit_process(main())
