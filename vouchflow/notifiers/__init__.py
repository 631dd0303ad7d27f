"""Human notifications: console/log (default) or Slack."""
