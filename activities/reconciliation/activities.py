"""Reconciliation activities: thin adapters from Temporal to vouchflow/reconciliation.

Read-only: the PO store is only read, and each tool is its own activity so that every
call is a step in the history. The model turn is one activity per turn; its errors are
classified for Temporal's retry policy (activities/common/errors.py).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from schemas.reconciliation.activities import (
    CandidateReply,
    CandidateRequest,
    Prepared,
    PrepareRequest,
)
from schemas.reconciliation.agent import ModelTurnRequest, ModelTurnResult
from schemas.reconciliation.tools import ToolRequest, ToolResponse
from vouchflow.invoice.extraction.base import ExtractionError
from vouchflow.reconciliation.candidates import load_candidates
from vouchflow.reconciliation.model_turn import run_model_turn
from vouchflow.reconciliation.references import find_po_references
from vouchflow.reconciliation.settings import load_policy, reconciliation_section
from vouchflow.reconciliation.tools import run_tool
from vouchflow.stores.purchase_orders import (
    PurchaseOrderStore,
    open_purchase_order_store,
    purchase_orders_url,
)


class ReconciliationActivities:
    def __init__(
        self,
        deps: ActivityDeps,
        *,
        store: PurchaseOrderStore | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._deps = deps
        self._store = store
        self._env = os.environ if env is None else env

    @property
    def store(self) -> PurchaseOrderStore:
        if self._store is None:
            url = purchase_orders_url(reconciliation_section(self._deps.settings), self._env)
            self._store = open_purchase_order_store(self._deps.settings.home, url)
        return self._store

    @activity.defn(name="prepare_reconciliation")
    async def prepare_reconciliation(self, request: PrepareRequest) -> Prepared:
        """The policy (read once; then fixed in the history) and the PO numbers printed on
        the document."""
        policy = None
        if request.need_policy:
            try:
                policy = load_policy(self._deps.settings)
            except (ValidationError, ValueError) as err:
                raise ApplicationError(
                    f"the [reconciliation] configuration cannot be used: {err}",
                    type="ConfigError",
                    non_retryable=True,
                ) from None
        references = list(request.po_references)
        if request.document_text_sha256:
            text = await asyncio.to_thread(self._deps.blobs.get_text, request.document_text_sha256)
            references += find_po_references(text)
        unique = list(dict.fromkeys(r.strip() for r in references if r.strip()))
        return Prepared(policy=policy, references=unique[:20])

    @activity.defn(name="load_reconciliation_candidates")
    async def load_reconciliation_candidates(self, request: CandidateRequest) -> CandidateReply:
        def read() -> CandidateReply:
            proposed = self.store.facts(request.proposed_po) if request.proposed_po else None
            candidates = load_candidates(
                self.store,
                request.invoice,
                request.references,
                request.policy,
                also_supplier=proposed.po.supplier_name if proposed else None,
            )
            return CandidateReply(candidates=candidates, proposed=proposed)

        return await asyncio.to_thread(read)

    @activity.defn(name="reconciliation_model_turn")
    async def reconciliation_model_turn(self, request: ModelTurnRequest) -> ModelTurnResult:
        try:
            return await run_model_turn(request, self._deps.settings, self._env)
        except ExtractionError as err:
            raise to_application_error(err) from err

    async def _tool(self, request: ToolRequest) -> ToolResponse:
        started = time.monotonic()
        try:
            result = await asyncio.to_thread(
                run_tool, self.store, request.name, request.arguments, request.max_results
            )
        except ValidationError as err:
            # The workflow validated first; a call that still fails is never retried.
            raise ApplicationError(
                f"invalid arguments for {request.name}: {err.error_count()} error(s)",
                type="InvalidToolArguments",
                non_retryable=True,
            ) from None
        return ToolResponse(
            name=request.name,
            content=result.model_dump_json(),
            summary=str(getattr(result, "summary", "")),
            latency_ms=int((time.monotonic() - started) * 1000),
        )

    @activity.defn(name="query_purchase_orders")
    async def query_purchase_orders(self, request: ToolRequest) -> ToolResponse:
        return await self._tool(request)

    @activity.defn(name="get_purchase_order")
    async def get_purchase_order(self, request: ToolRequest) -> ToolResponse:
        return await self._tool(request)

    @activity.defn(name="get_goods_receipts")
    async def get_goods_receipts(self, request: ToolRequest) -> ToolResponse:
        return await self._tool(request)

    @activity.defn(name="check_duplicate_invoice")
    async def check_duplicate_invoice(self, request: ToolRequest) -> ToolResponse:
        return await self._tool(request)

    @activity.defn(name="get_supplier_history")
    async def get_supplier_history(self, request: ToolRequest) -> ToolResponse:
        return await self._tool(request)

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.prepare_reconciliation,
            self.load_reconciliation_candidates,
            self.reconciliation_model_turn,
            self.query_purchase_orders,
            self.get_purchase_order,
            self.get_goods_receipts,
            self.check_duplicate_invoice,
            self.get_supplier_history,
        ]
