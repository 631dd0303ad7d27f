"""Invoice reconciliation: purchase-order matching in plain functions, tools, the loop."""
