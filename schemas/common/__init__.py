"""Contracts every workflow shares: audit records, decisions, money, documents, messages."""
