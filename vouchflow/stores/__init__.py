"""Persistent stores: the append-only audit log."""
