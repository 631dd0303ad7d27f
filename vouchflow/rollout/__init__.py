"""Rollout stages (shadow, suggest, partial, full), shadow agreement and remediation."""
