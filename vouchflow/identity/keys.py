"""Credentials on disk: each person's private key, and the public keys the worker trusts.

Layout under the state directory (``$VOUCHFLOW_HOME/identity``)::

    people/<id>.pem          a person's Ed25519 private key (mode 0600): their credential
    services/<name>.pem      a service's private key (the gateway), mode 0600
    trusted.json             public keys the worker accepts, per person and per service

Ed25519 because the worker then holds only public keys: a compromised worker cannot
mint decisions in anyone's name (a shared HMAC secret would let it).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field

# Ids are short, printable and safe as file names.
_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")

# Channels a service may vouch for. A person's own key is the CLI / temporal CLI.
SERVICE_CHANNELS = ("slack", "review-page", "webhook", "api")


class ServiceKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_key: str
    channels: list[str] = Field(default_factory=list)


class TrustedKeys(BaseModel):
    """Public keys the worker accepts. Safe to log: nothing here is secret."""

    model_config = ConfigDict(extra="forbid")

    people: dict[str, str] = Field(default_factory=dict)
    services: dict[str, ServiceKey] = Field(default_factory=dict)


def check_id(value: str) -> str:
    normalised = value.strip().casefold()
    if not _ID.match(normalised):
        raise ValueError(f"not a valid identity id: {value[:40]!r} (use 1-64 of a-z 0-9 . _ @ -)")
    return normalised


def identity_dir(home: Path) -> Path:
    return home / "identity"


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise ValueError(f"no credential at {path}") from None
    except ValueError as err:
        raise ValueError(f"{path} is not a private key: {err}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def trusted_path(home: Path) -> Path:
    return identity_dir(home) / "trusted.json"


def load_trusted(home: Path) -> TrustedKeys:
    path = trusted_path(home)
    if not path.exists():
        return TrustedKeys()
    return TrustedKeys.model_validate_json(path.read_text())


def _save_trusted(home: Path, trusted: TrustedKeys) -> None:
    path = trusted_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(trusted.model_dump(), indent=2, sort_keys=True))
    tmp.replace(path)


def person_key_path(home: Path, person: str) -> Path:
    return identity_dir(home) / "people" / f"{check_id(person)}.pem"


def service_key_path(home: Path, service: str) -> Path:
    return identity_dir(home) / "services" / f"{check_id(service)}.pem"


def ensure_person(home: Path, person: str) -> Path:
    """Create a person's credential unless it exists; trust its public key. Idempotent."""
    person = check_id(person)
    path = person_key_path(home, person)
    key = load_private_key(path) if path.exists() else Ed25519PrivateKey.generate()
    if not path.exists():
        _write_private(path, key)
    trusted = load_trusted(home)
    if trusted.people.get(person) != public_pem(key):
        trusted.people[person] = public_pem(key)
        _save_trusted(home, trusted)
    return path


def ensure_service(home: Path, service: str, channels: list[str]) -> Path:
    """Create a service credential (the gateway) allowed to vouch for `channels`."""
    service = check_id(service)
    unknown = set(channels) - set(SERVICE_CHANNELS)
    if unknown:
        raise ValueError(f"unknown channels for a service: {sorted(unknown)}")
    path = service_key_path(home, service)
    key = load_private_key(path) if path.exists() else Ed25519PrivateKey.generate()
    if not path.exists():
        _write_private(path, key)
    trusted = load_trusted(home)
    wanted = ServiceKey(public_key=public_pem(key), channels=sorted(channels))
    if trusted.services.get(service) != wanted:
        trusted.services[service] = wanted
        _save_trusted(home, trusted)
    return path


def revoke(home: Path, principal: str) -> bool:
    """Stop trusting a person or service (its tokens fail from now on)."""
    principal = check_id(principal)
    trusted = load_trusted(home)
    found = trusted.people.pop(principal, None) is not None
    found = trusted.services.pop(principal, None) is not None or found
    if found:
        _save_trusted(home, trusted)
    return found
