"""Choosing and checking the side-effect integrations (destination, notifier, email)."""
