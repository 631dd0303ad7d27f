"""Configuration: one TOML file with documented defaults, environment overrides."""

from settings.config import Settings, load_settings, parse_duration

__all__ = ["Settings", "load_settings", "parse_duration"]
