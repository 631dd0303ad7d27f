"""Who decides from the command line: credentials, tokens, and the signer of a decision.

A decision is proven by a short-lived token signed with the person's own private key
(``$VOUCHFLOW_HOME/identity/people/<id>.pem``); the worker trusts the public keys in
``identity/trusted.json``. The typed name (``--as``) only says which key to use: the
key file is the proof. Whoever can write the state directory can add people, so in
production that directory (or at least ``trusted.json``) belongs to an administrator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vouchflow.identity.keys import (
    check_id,
    ensure_person,
    identity_dir,
    load_private_key,
    load_trusted,
    person_key_path,
    public_pem,
    revoke,
    service_key_path,
    trusted_path,
)
from vouchflow.identity.tokens import ACTIONS, DEFAULT_TTL, MAX_TTL, mint_decision_token
from vouchflow.runtime.errors import user_message
from vouchflow.settings import Settings
from vouchflow.settings.config import parse_duration

ENV_IDENTITY = "VOUCHFLOW_IDENTITY"
ENV_IDENTITY_KEY = "VOUCHFLOW_IDENTITY_KEY"


class IdentityError(ValueError):
    """A one-line reason the command line cannot sign (the CLI prints it as an error)."""


@dataclass(frozen=True)
class Signer:
    person: str
    key: Ed25519PrivateKey
    key_path: Path

    def token(
        self,
        workflow_id: str,
        action: str,
        *,
        channel: str = "cli",
        ttl: dt.timedelta = DEFAULT_TTL,
    ) -> str:
        return mint_decision_token(
            self.key,
            issuer=self.person,
            person=self.person,
            workflow_id=workflow_id,
            action=action,
            channel=channel,
            ttl=ttl,
        )


def resolve_signer(
    settings: Settings,
    person: str | None,
    key_file: str | None,
    env: dict[str, str] | None = None,
) -> Signer:
    """The person and key for a decision: ``--as`` / ``--key``, else the environment
    (VOUCHFLOW_IDENTITY / VOUCHFLOW_IDENTITY_KEY), else the person's key in the state
    directory. IdentityError says what is missing and how to fix it."""
    environ = os.environ if env is None else env
    person = person or environ.get(ENV_IDENTITY) or None
    key_file = key_file or environ.get(ENV_IDENTITY_KEY) or None
    if person is not None:
        try:
            person = check_id(person)
        except ValueError as err:
            raise IdentityError(str(err)) from None
    trusted = load_trusted(settings.home)
    if key_file:
        path = Path(key_file).expanduser()
        key = _load_key(path)
        pem = public_pem(key)
        if person is None:
            matches = [p for p, known in trusted.people.items() if known == pem]
            if not matches:
                raise IdentityError(
                    f"the key in {path} is not a trusted person's key; say who you are with --as"
                )
            person = matches[0]
        elif person in trusted.people and trusted.people[person] != pem:
            raise IdentityError(f"the key in {path} is not {person}'s trusted key")
        return Signer(person, key, path)
    if person is None:
        raise IdentityError(
            f"who is deciding? pass --as ID (or set {ENV_IDENTITY}); "
            "create a credential with `python starter.py identity add ID`"
        )
    path = person_key_path(settings.home, person)
    if not path.exists():
        raise IdentityError(
            f"no credential for {person} at {path}: create it with "
            f"`python starter.py identity add {person}` (or pass --key FILE)"
        )
    return Signer(person, _load_key(path), path)


def _load_key(path: Path) -> Ed25519PrivateKey:
    try:
        return load_private_key(path)
    except ValueError as err:
        raise IdentityError(str(err)) from None
    except OSError as err:
        raise IdentityError(f"cannot read the key {path}: {user_message(err)}") from None


def parse_ttl(text: str) -> dt.timedelta:
    try:
        ttl = parse_duration(text)
    except Exception as err:
        raise IdentityError(f"--ttl: {user_message(err)}") from None
    if not dt.timedelta(0) < ttl <= MAX_TTL:
        raise IdentityError(
            f"--ttl must be more than 0 and at most {int(MAX_TTL.total_seconds() // 60)}m"
        )
    return ttl


def parse_action(text: str) -> str:
    action = text.strip().replace("-", "_")
    if action not in ACTIONS:
        raise IdentityError(f"unknown action {text[:40]!r} (one of: {', '.join(ACTIONS)})")
    return action


# ---- commands ------------------------------------------------------------------------------


def add_identity_parsers(sub: Any) -> None:
    p = sub.add_parser("identity", help="people's credentials: add, list, revoke")
    isub = p.add_subparsers(dest="identity_command", required=True)
    add = isub.add_parser("add", help="create a person's credential and trust it")
    add.add_argument("id", help="person id, e.g. alice (approver ids come from the config)")
    isub.add_parser("list", help="people and services the worker trusts")
    rev = isub.add_parser("revoke", help="stop trusting a person or service (tokens fail at once)")
    rev.add_argument("id")

    p = sub.add_parser(
        "token",
        help="print a decision token (for `temporal workflow signal --input`)",
        description=(
            "Sign a short-lived token with your own key, bound to one workflow and one "
            "action. Example: temporal workflow signal --workflow-id WF --name approve "
            '--input "{\\"token\\": \\"$(python starter.py token --as alice --workflow WF '
            '--action approve)\\"}"'
        ),
    )
    p.add_argument("--as", dest="as_person", help="who you are (default: $VOUCHFLOW_IDENTITY)")
    p.add_argument("--key", help="your private key file (default: the state directory's)")
    p.add_argument("--workflow", required=True, help="the workflow id the token is for")
    p.add_argument("--action", required=True, help=f"one of: {', '.join(ACTIONS)}")
    p.add_argument("--ttl", default="10m", help="lifetime, at most 1h (default 10m)")
    p.add_argument(
        "--channel",
        default="temporal-cli",
        choices=["temporal-cli", "cli"],
        help="where the token is used (default temporal-cli)",
    )


def cmd_identity(args: argparse.Namespace, settings: Settings) -> int:
    home = settings.home
    if args.identity_command == "add":
        try:
            person = check_id(args.id)
        except ValueError as err:
            raise IdentityError(str(err)) from None
        existed = person_key_path(home, person).exists()
        path = ensure_person(home, person)
        verb = "already had a credential" if existed else "credential created"
        print(f"{person}: {verb}: {path.resolve()}")
        print(f"trusted by the worker via {trusted_path(home).resolve()}; keep the key private")
        return 0
    if args.identity_command == "revoke":
        try:
            principal = check_id(args.id)
        except ValueError as err:
            raise IdentityError(str(err)) from None
        if not revoke(home, principal):
            raise IdentityError(f"{principal} is not trusted (see `identity list`)")
        print(f"{principal}: no longer trusted; its tokens are refused from now on")
        key = person_key_path(home, principal)
        if key.exists():
            print(f"its private key is still at {key.resolve()} (delete it if it leaked)")
        return 0
    trusted = load_trusted(home)
    if not trusted.people and not trusted.services:
        print(f"nobody is trusted yet ({identity_dir(home).resolve()}); add with `identity add ID`")
        return 0
    for person in sorted(trusted.people):
        here = "key here" if person_key_path(home, person).exists() else "no key here"
        print(f"person   {person:<24} {here}")
    for name, service in sorted(trusted.services.items()):
        here = "key here" if service_key_path(home, name).exists() else "no key here"
        print(f"service  {name:<24} {here}; vouches for {', '.join(service.channels) or '-'}")
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    action = parse_action(args.action)
    ttl = parse_ttl(args.ttl)
    workflow_id = args.workflow.strip()
    if not workflow_id:
        raise IdentityError("--workflow must name a workflow id")
    signer = resolve_signer(settings, args.as_person, args.key)
    print(signer.token(workflow_id, action, channel=args.channel, ttl=ttl))
    return 0
