"""Configuration: one TOML file with documented defaults, environment overrides."""

from vouchflow.settings.config import PACKAGE_DIR, Settings, load_settings, parse_duration

__all__ = ["PACKAGE_DIR", "Settings", "load_settings", "parse_duration"]
