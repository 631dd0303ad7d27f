"""The invoice workflow's contracts: events, invoice, extraction, assessment, effects, state."""
