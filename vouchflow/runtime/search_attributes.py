"""Typed custom search attributes: make "awaiting approval" filterable in the Web UI
and with `temporal workflow list --query 'VouchflowStatus="awaiting_approval"'`."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.common import SearchAttributeKey

STATUS = SearchAttributeKey.for_keyword("VouchflowStatus")
SUPPLIER = SearchAttributeKey.for_keyword("VouchflowSupplier")
TOTAL_MINOR = SearchAttributeKey.for_int("VouchflowTotalMinor")
CURRENCY = SearchAttributeKey.for_keyword("VouchflowCurrency")
CONFIDENCE = SearchAttributeKey.for_int("VouchflowConfidence")
ROUTE = SearchAttributeKey.for_keyword("VouchflowRoute")
PROMPT_VERSION = SearchAttributeKey.for_keyword("PromptVersion")
# Set while a run is parked in the dead letter, to why it parked (effect_failed, ...).
DEAD_LETTER = SearchAttributeKey.for_keyword("VouchflowDeadLetter")

ALL_KEYS: list[SearchAttributeKey[Any]] = [
    STATUS,
    SUPPLIER,
    TOTAL_MINOR,
    CURRENCY,
    CONFIDENCE,
    ROUTE,
    PROMPT_VERSION,
    DEAD_LETTER,
]


def dev_server_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    kinds = {"KEYWORD": "Keyword", "INT": "Int"}
    flags: list[str] = []
    for key in ALL_KEYS:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return flags


async def register_search_attributes(client: Client, namespace: str) -> None:
    """Register the custom attributes on a server started without them (idempotent)."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
    from temporalio.service import RPCError, RPCStatusCode

    kinds = {
        "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "INT": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    }
    for key in ALL_KEYS:
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(
                    namespace=namespace,
                    search_attributes={key.name: kinds[key.indexed_value_type.name]},
                )
            )
        except RPCError as err:
            if err.status != RPCStatusCode.ALREADY_EXISTS:
                raise
