"""Outgoing email: an outbox folder (default) or SMTP."""
