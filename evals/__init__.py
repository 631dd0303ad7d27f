"""Measurements: extraction accuracy and benchmarks (not tests)."""
