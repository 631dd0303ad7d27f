"""Tier-change proposals: parsers (rules, model), validation, policy, billing systems."""
