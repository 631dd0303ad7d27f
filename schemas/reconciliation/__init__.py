"""Contracts of invoice reconciliation: purchase orders, findings, tools, the agent loop."""
