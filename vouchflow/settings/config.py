"""Load `vouchflow.toml` (or `$VOUCHFLOW_CONFIG`) into typed settings.

Only choices and thresholds live here; secrets come from the environment and are
read by the integration that needs them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

# The installed package: the default configuration, prompt specs and samples ship in it.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PACKAGE_DIR / "vouchflow.toml"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_TIMEDELTA: TypeAdapter[dt.timedelta] = TypeAdapter(dt.timedelta)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> dt.timedelta:
    """'90s', '5m', '24h', '7d' (or a number of seconds) -> timedelta."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float):
        return dt.timedelta(seconds=value)
    if isinstance(value, str) and value.lstrip("-").startswith("P"):
        # ISO 8601, as pydantic serialises timedeltas (settings travel through history).
        return _TIMEDELTA.validate_python(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. '90s', '5m', '24h', '7d')")
    return dt.timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemporalSettings(_Section):
    address: str = "localhost:7233"
    namespace: str = "default"
    task_queue: str = "vouchflow-invoices"
    web_ui_url: str = "http://localhost:8233"


class IntakeSettings(_Section):
    max_file_bytes: int = 20_000_000
    max_pages: int = 200
    max_text_chars: int = 400_000


class ExtractionSettings(_Section):
    extractor: str = "rules"
    min_invoice_likelihood: float = 0.5


class ValidationSettings(_Section):
    future_issue_date_slack_days: int = 3
    max_due_days_after_issue: int = 365
    # Beyond these a date is implausible (an error, not a warning): a misread year.
    earliest_issue_year: int = 1900
    max_issue_days_after_today: int = 366
    max_due_years_after_issue: int = 5
    # Sanity cap on any amount (absolute value, minor units); far below the 64-bit bound.
    max_amount_minor: int = Field(default=100_000_000_000_000, gt=0, le=2**63 - 1)
    rounding_tolerance_per_line_minor: int = 1
    tax_rates: dict[str, list[Decimal]] = Field(default_factory=dict)


class ConfidenceSettings(_Section):
    auto_draft_min_score: int = 85
    # Each key field on its own must be read at least this surely to auto-draft: a high
    # mean must not hide one guessed field.
    min_field_certainty: float = Field(default=0.75, ge=0.0, le=1.0)
    weights: dict[str, float] = Field(default_factory=dict)


class RoutingSettings(_Section):
    auto_draft_limit_minor: dict[str, int] = Field(default_factory=dict)
    known_suppliers: list[str] = Field(default_factory=list)


class Approver(_Section):
    id: str
    name: str = ""
    limits_minor: dict[str, int] = Field(default_factory=dict)
    # May approve an invoice that still carries validation errors, with an explicit,
    # audited override (never one missing supplier, number, currency or total).
    may_override_errors: bool = False


class ApprovalSettings(_Section):
    approvers: list[Approver] = Field(default_factory=list)


class ReviewSettings(_Section):
    reminder_after: Duration = dt.timedelta(hours=24)
    escalation_after: Duration = dt.timedelta(hours=48)
    expire_after: Duration = dt.timedelta(days=7)
    escalation_channels: list[str] = Field(default_factory=list)
    review_channels: list[str] = Field(default_factory=list)
    # Temporal's own limits must never end a waiting workflow: past this many history
    # events (or when the server suggests it) the workflow continues as new, carrying
    # its state. Refused decisions beyond `refusals_audited` are counted, not each audited.
    continue_as_new_after_events: int = Field(default=10_000, ge=100, le=40_000)
    refusals_audited: int = Field(default=20, ge=1, le=1000)


class EffectsSettings(_Section):
    destination: str = "local"
    notifier: str = "console"
    email: str = "outbox"
    email_delay: Duration = dt.timedelta(minutes=5)
    email_to: list[str] = Field(default_factory=lambda: ["accounts-payable@example.com"])
    email_from: str = "vouchflow@example.com"
    revert_window: Duration = dt.timedelta(days=7)


class InvoicePolicy(_Section):
    """The sections the invoice rules read (validation, scoring, routing, approval): all
    an assess or approval-check activity is given, never the whole configuration."""

    extraction: ExtractionSettings = Field(default_factory=ExtractionSettings)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    confidence: ConfidenceSettings = Field(default_factory=ConfidenceSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)


class Settings(_Section):
    home: Path = Path(".vouchflow")
    temporal: TemporalSettings = Field(default_factory=TemporalSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    extraction: ExtractionSettings = Field(default_factory=ExtractionSettings)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    confidence: ConfidenceSettings = Field(default_factory=ConfidenceSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    effects: EffectsSettings = Field(default_factory=EffectsSettings)
    # Free-form sections owned by integrations (llm, xero, slack, gateway...).
    integrations: dict[str, Any] = Field(default_factory=dict)

    def invoice_policy(self) -> InvoicePolicy:
        return InvoicePolicy(
            extraction=self.extraction,
            validation=self.validation,
            confidence=self.confidence,
            routing=self.routing,
            approval=self.approval,
        )

    @property
    def audit_db_path(self) -> Path:
        return self.home / "audit.sqlite3"

    @property
    def ledger_db_path(self) -> Path:
        return self.home / "ledger.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"


_ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "TEMPORAL_ADDRESS": ("temporal", "address"),
    "TEMPORAL_NAMESPACE": ("temporal", "namespace"),
    "VOUCHFLOW_TASK_QUEUE": ("temporal", "task_queue"),
    "VOUCHFLOW_EXTRACTOR": ("extraction", "extractor"),
    "VOUCHFLOW_DESTINATION": ("effects", "destination"),
    "VOUCHFLOW_NOTIFIER": ("effects", "notifier"),
    "VOUCHFLOW_EMAIL": ("effects", "email"),
}

_KNOWN_SECTIONS = set(Settings.model_fields) - {"home", "integrations"}


def load_settings(
    path: Path | None = None, *, env: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    """Defaults <- config file <- environment <- explicit overrides (tests)."""
    environ = os.environ if env is None else env
    config_path = path or Path(environ.get("VOUCHFLOW_CONFIG", DEFAULT_CONFIG))
    raw: dict[str, Any] = {}
    if config_path.exists():
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    data: dict[str, Any] = {"integrations": {}}
    for key, value in raw.items():
        if key in _KNOWN_SECTIONS:
            data[key] = value
        else:
            data["integrations"][key] = value
    for env_name, (section, key) in _ENV_OVERRIDES.items():
        if environ.get(env_name):
            data.setdefault(section, {})[key] = environ[env_name]
    # The state directory: $VOUCHFLOW_HOME, else .vouchflow in the current directory.
    data["home"] = Path(environ.get("VOUCHFLOW_HOME", str(Path.cwd() / ".vouchflow")))
    for dotted, value in overrides.items():
        section, _, key = dotted.partition("__")
        if key:
            data.setdefault(section, {})[key] = value
        else:
            data[section] = value
    return Settings.model_validate(data)
