"""Schemas of the support-ticket triage workflow."""
