"""The reconciliation child workflow: purchase-order matching, then a bounded agent loop."""
