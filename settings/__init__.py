"""Configuration: one TOML file with documented defaults, environment overrides."""

from settings.config import PROJECT_ROOT_PATH, Settings, load_settings, parse_duration

__all__ = ["PROJECT_ROOT_PATH", "Settings", "load_settings", "parse_duration"]
