"""Thin activities of the tier-change proposal workflow."""
