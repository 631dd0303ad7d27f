"""Who decided: people's and services' credentials, and short-lived signed decision tokens.

A typed name is never an identity. Every decision (approve, reject, correct, revert,
cancel an email, submit, operator actions) carries a JWT signed with the decider's own
private key (or, for Slack, the review page and webhooks, with the gateway's service key
after the gateway has authenticated the person), bound to one workflow id and one action,
and valid for minutes. The worker verifies it against the public keys it trusts before
the workflow acts on the decision.
"""
