"""Pydantic contracts shared by workflows, activities, the CLI and the gateway.

Everything in here is pure data: safe to import from workflow code.
"""
