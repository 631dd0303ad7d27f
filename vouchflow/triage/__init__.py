"""Support-ticket triage: rules, classifiers, stores and integrations of the triage workflow."""
