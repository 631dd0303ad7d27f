"""Field extraction: the built-in rules extractor and (pluggable) LLM providers."""
