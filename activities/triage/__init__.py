"""Activities of the support-ticket triage workflow."""
