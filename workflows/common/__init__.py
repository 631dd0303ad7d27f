"""What every vouchflow workflow shares: the audit trail (intent before, outcome after
every effect), the decision desk (proofs, refusals, the inbox), notifications, status and
search attributes, Temporal's limits, and the activity options they all use."""
