"""Eval suite of the support_ticket_classifier prompt and the rules classifier."""
