"""Contracts of the tier-change proposal workflow: the request event, the proposal,
billing facts, decisions and state."""
