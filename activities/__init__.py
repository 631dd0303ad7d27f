"""Thin activity functions; each wraps one integration call. No business rules here."""
