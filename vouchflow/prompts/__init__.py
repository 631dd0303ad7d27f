"""Versioned prompt specs: immutable files, movable labels (production, candidate)."""
