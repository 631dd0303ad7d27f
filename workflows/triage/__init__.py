"""The support-ticket triage workflow (see workflow.py for its state machine)."""
