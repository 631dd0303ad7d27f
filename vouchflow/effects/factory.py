"""Build the destination, notifier and email transport chosen in settings.

`check_effects_config` runs at worker start-up so a missing credential is a clear
error there, not a failed activity hours later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel

from vouchflow.destinations.base import Destination
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.destinations.xero import XeroDestination
from vouchflow.destinations.xero_config import REQUIRED_ENV as XERO_ENV
from vouchflow.destinations.xero_config import XeroSettings
from vouchflow.mailer.base import EmailTransport
from vouchflow.mailer.outbox import OutboxTransport
from vouchflow.mailer.smtp import REQUIRED_ENV as SMTP_ENV
from vouchflow.mailer.smtp import SmtpSettings, SmtpTransport
from vouchflow.notifiers.base import Notifier
from vouchflow.notifiers.console import ConsoleNotifier
from vouchflow.notifiers.slack import SlackNotifier, SlackSettings
from vouchflow.settings.config import Settings

SLACK_ENV = ("SLACK_BOT_TOKEN",)
_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "destination": {"local": (), "xero": XERO_ENV},
    "notifier": {"console": (), "slack": SLACK_ENV},
    "email": {"outbox": (), "smtp": SMTP_ENV},
}


class ConfigError(Exception):
    """The effects configuration cannot work; the message says what to set."""


def check_effects_config(settings: Settings, env: Mapping[str, str] = os.environ) -> None:
    problems: list[str] = []
    for concern, options in _CHOICES.items():
        choice = getattr(settings.effects, concern)
        if choice not in options:
            problems.append(f"effects.{concern} = {choice!r} is not one of {', '.join(options)}")
            continue
        missing = [name for name in options[choice] if not env.get(name)]
        if missing:
            problems.append(
                f"effects.{concern} = {choice!r} needs {', '.join(missing)} in the environment"
            )
    sections: dict[str, type[BaseModel]] = {
        "xero": XeroSettings,
        "slack": SlackSettings,
        "smtp": SmtpSettings,
    }
    for name, model in sections.items():
        try:
            model.model_validate(settings.integrations.get(name, {}))
        except ValueError as exc:
            problems.append(f"[{name}] in the config file is invalid: {exc}")
    if problems:
        raise ConfigError("effects configuration: " + "; ".join(problems))


def build_destination(settings: Settings, env: Mapping[str, str] = os.environ) -> Destination:
    choice = settings.effects.destination
    if choice == "local":
        return LocalLedger(settings.ledger_db_path)
    if choice == "xero":
        return XeroDestination.from_env(XeroSettings.from_integrations(settings.integrations), env)
    raise ConfigError(f"unknown destination {choice!r} (local | xero)")


def build_notifier(settings: Settings, env: Mapping[str, str] = os.environ) -> Notifier:
    choice = settings.effects.notifier
    if choice == "console":
        return ConsoleNotifier(settings.home / "notifications.jsonl")
    if choice == "slack":
        return SlackNotifier.from_env(
            SlackSettings.from_integrations(settings.integrations),
            env,
            review_channels=settings.review.review_channels,
        )
    raise ConfigError(f"unknown notifier {choice!r} (console | slack)")


def build_email_transport(
    settings: Settings, env: Mapping[str, str] = os.environ
) -> EmailTransport:
    choice = settings.effects.email
    if choice == "outbox":
        return OutboxTransport(settings.outbox_dir)
    if choice == "smtp":
        return SmtpTransport.from_env(SmtpSettings.from_integrations(settings.integrations), env)
    raise ConfigError(f"unknown email transport {choice!r} (outbox | smtp)")
