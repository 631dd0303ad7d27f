"""What every vouchflow workflow shares: the audit trail (intent before, outcome after
every effect), the decision desk (proofs, refusals, the inbox) and its handlers, waiting
for a person, the steps base (status and search attributes, notifications, endings, the
dead letter), rollout stages and the shadow child, Temporal's limits, and the activity
options they all use."""
