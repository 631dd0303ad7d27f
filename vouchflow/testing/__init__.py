"""Local fake servers for the services vouchflow talks to (OpenAI, Anthropic, Xero,
Slack, Jira, SMTP): real wire formats and real rules (auth, 429 + Retry-After,
idempotency, signatures, status transitions), for vouchflow's own tests and benchmarks
and for anyone testing an integration built on it."""
