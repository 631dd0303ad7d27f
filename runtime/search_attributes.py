"""Typed custom search attributes: make "awaiting approval" filterable in the Web UI
and with `temporal workflow list --query 'VouchflowStatus="awaiting_approval"'`."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

STATUS = SearchAttributeKey.for_keyword("VouchflowStatus")
SUPPLIER = SearchAttributeKey.for_keyword("VouchflowSupplier")
TOTAL_MINOR = SearchAttributeKey.for_int("VouchflowTotalMinor")
CURRENCY = SearchAttributeKey.for_keyword("VouchflowCurrency")
CONFIDENCE = SearchAttributeKey.for_int("VouchflowConfidence")
ROUTE = SearchAttributeKey.for_keyword("VouchflowRoute")
PROMPT_VERSION = SearchAttributeKey.for_keyword("PromptVersion")

ALL_KEYS: list[SearchAttributeKey] = [  # type: ignore[type-arg]
    STATUS,
    SUPPLIER,
    TOTAL_MINOR,
    CURRENCY,
    CONFIDENCE,
    ROUTE,
    PROMPT_VERSION,
]


def dev_server_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    kinds = {"KEYWORD": "Keyword", "INT": "Int"}
    flags: list[str] = []
    for key in ALL_KEYS:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return flags
