"""The tier-change proposal workflow: the model proposes, code decides, billing executes once."""
