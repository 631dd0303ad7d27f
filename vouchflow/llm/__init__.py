"""Model providers for structured extraction: OpenAI, Anthropic, OpenAI-compatible servers.

The model only proposes; every answer is re-validated locally (see llm/output.py).
"""
