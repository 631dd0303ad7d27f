"""The invoice workflow's activities (thin: each wraps one integration call)."""
