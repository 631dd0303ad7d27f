"""Reconciliation activities: the purchase-order store, read-only tools, model turns."""
