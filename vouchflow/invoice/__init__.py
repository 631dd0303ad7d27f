"""The invoice workflow's rules and extraction: pure functions, tested without Temporal."""
