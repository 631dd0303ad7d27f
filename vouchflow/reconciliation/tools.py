"""The agent's tools: what each is for, its typed parameters and result, validation of a
call before anything runs, and the read-only implementations over the PO store.

The registry is the whole of what a model can do: five read-only look-ups, plus the two
ways to finish (propose a match for code to verify, or escalate to a person). A call to
anything else, or with arguments that do not validate, is answered with an error and
never runs. Results are cut to the top N items plus a summary before a model sees them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from schemas.reconciliation.agent import ToolCall
from schemas.reconciliation.purchase_orders import PoFacts
from schemas.reconciliation.tools import (
    CheckDuplicateParams,
    DuplicateResult,
    EscalateParams,
    PoDetailResult,
    PoListResult,
    PoNumberParams,
    PoSummary,
    ProposeMatchParams,
    QueryPurchaseOrdersParams,
    ReceiptsResult,
    SupplierHistoryResult,
    SupplierParams,
)
from vouchflow.llm.schema import strict_json_schema
from vouchflow.stores.purchase_orders import PurchaseOrderStore, ident_key

PROPOSE = "propose_match"
ESCALATE = "escalate"
# Arguments longer than this are refused unread (a model looping on garbage, or worse).
MAX_ARGUMENT_CHARS = 4_000


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    params: type[BaseModel]
    result: type[BaseModel] | None

    def json_schema(self) -> dict[str, Any]:
        return strict_json_schema(self.params)


READ_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "query_purchase_orders",
        "Find purchase orders by supplier name, net amount range (integer minor units),"
        " currency, issue date range and status. Use it first when the invoice names no PO"
        " the store knows, or to see which of a supplier's POs are near the invoice amount."
        " Returns at most a few POs (closest to the amount range first) and a count.",
        QueryPurchaseOrdersParams,
        PoListResult,
    ),
    ToolSpec(
        "get_purchase_order",
        "Read one purchase order with its lines (quantities, net unit prices), its status,"
        " what was received and what was already invoiced. Use it to compare a candidate"
        " PO's lines with the invoice lines.",
        PoNumberParams,
        PoDetailResult,
    ),
    ToolSpec(
        "get_goods_receipts",
        "List the goods receipts (deliveries) booked against a purchase order, per PO line."
        " Use it to check what was actually delivered before proposing a three-way match.",
        PoNumberParams,
        ReceiptsResult,
    ),
    ToolSpec(
        "check_duplicate_invoice",
        "Check whether an invoice number from a supplier was already booked against any"
        " purchase order. Use it before proposing a match.",
        CheckDuplicateParams,
        DuplicateResult,
    ),
    ToolSpec(
        "get_supplier_history",
        "Summarise a supplier: how many POs (open and in total), invoices booked, currencies"
        " and the most recent invoices. Use it when unsure whether the store knows the"
        " supplier under this name.",
        SupplierParams,
        SupplierHistoryResult,
    ),
)
FINISH_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        PROPOSE,
        "Propose the purchase order (and its lines) this invoice bills, with a short"
        " explanation. Code verifies the proposal (supplier, currency, amounts within"
        " tolerance, PO open, not already invoiced, no other PO fitting as well) before it"
        " counts; a rejected proposal ends the reconciliation and a person decides. Propose"
        " only when the evidence points to one PO.",
        ProposeMatchParams,
        None,
    ),
    ToolSpec(
        ESCALATE,
        "Hand the invoice to a person, with the reason and what you found. Use it when no"
        " purchase order fits, or several fit equally well.",
        EscalateParams,
        None,
    ),
)
TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in (*READ_TOOLS, *FINISH_TOOLS)}


@dataclass(frozen=True)
class ValidCall:
    call: ToolCall
    spec: ToolSpec
    arguments: dict[str, Any]

    @property
    def signature(self) -> str:
        """Name + canonical arguments: two calls with the same signature are a repeat."""
        return f"{self.spec.name}:{json.dumps(self.arguments, sort_keys=True, default=str)}"


@dataclass(frozen=True)
class RejectedCall:
    call: ToolCall
    error: str

    @property
    def signature(self) -> str:
        return f"{self.call.name}:{self.call.arguments.strip()}"


def validate_call(call: ToolCall) -> ValidCall | RejectedCall:
    """Unknown tools and invalid arguments are refused here, before anything runs."""
    spec = TOOLS.get(call.name)
    if spec is None:
        return RejectedCall(
            call,
            f"unknown tool {call.name[:80]!r}: the tools are " + ", ".join(sorted(TOOLS)),
        )
    if len(call.arguments) > MAX_ARGUMENT_CHARS:
        return RejectedCall(call, f"arguments longer than {MAX_ARGUMENT_CHARS} characters")
    try:
        raw = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as err:
        return RejectedCall(call, f"arguments are not valid JSON: {err.msg}")
    except RecursionError:
        return RejectedCall(call, "arguments are nested too deeply")
    if not isinstance(raw, dict):
        return RejectedCall(call, "arguments must be a JSON object")
    try:
        params = spec.params.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(arguments)'}: {e['msg']}"
            for e in err.errors()[:5]
        )
        return RejectedCall(call, f"invalid arguments for {spec.name}: {problems}")
    return ValidCall(call, spec, params.model_dump(mode="json"))


# ---- implementations: read-only, each returns its typed result, already truncated ------


def _summary(po: PoFacts) -> PoSummary:
    return PoSummary(
        po_number=po.po.po_number,
        supplier_name=po.po.supplier_name,
        currency=po.po.currency,
        status=po.po.status,
        issued_on=po.po.issued_on,
        total_minor=po.po.total_minor,
        received_minor=po.received_minor,
        invoiced_minor=po.invoiced_minor,
        lines=len(po.po.lines),
    )


def query_purchase_orders(
    store: PurchaseOrderStore, params: QueryPurchaseOrdersParams, top: int
) -> PoListResult:
    statuses = None if params.status in (None, "any") else [params.status]
    found = store.query(
        supplier_name=params.supplier_name,
        currency=params.currency,
        min_total_minor=params.min_amount_minor,
        max_total_minor=params.max_amount_minor,
        issued_from=params.issued_from,
        issued_to=params.issued_to,
        statuses=statuses,  # type: ignore[arg-type]
    )
    # Closest to the middle of the amount range first, so the cut keeps the likely ones.
    lo, hi = params.min_amount_minor, params.max_amount_minor
    if lo is not None or hi is not None:
        middle = ((lo if lo is not None else hi) + (hi if hi is not None else lo)) // 2  # type: ignore[operator]
        found.sort(key=lambda f: (abs(f.po.total_minor - middle), f.po.po_number))
    shown = [_summary(f) for f in found[:top]]
    left = len(found) - len(shown)
    return PoListResult(
        items=shown,
        total=len(found),
        summary=f"{len(found)} purchase order(s) found"
        + (f"; showing {len(shown)}, {left} more not shown (narrow the query)" if left else ""),
    )


def get_purchase_order(
    store: PurchaseOrderStore, params: PoNumberParams, top: int
) -> PoDetailResult:
    facts = store.facts(params.po_number)
    if facts is None:
        return PoDetailResult(found=False, summary=f"no purchase order {params.po_number!r}")
    po = facts.po
    shown = po.model_copy(update={"lines": po.lines[: max(top, 20)]})
    cut = len(po.lines) - len(shown.lines)
    return PoDetailResult(
        found=True,
        purchase_order=shown,
        received_minor=facts.received_minor,
        invoiced_minor=facts.invoiced_minor,
        summary=f"{po.po_number}: {po.status}, {len(po.lines)} line(s), total"
        f" {po.total_minor} {po.currency} net" + (f"; {cut} line(s) not shown" if cut else ""),
    )


def get_goods_receipts(
    store: PurchaseOrderStore, params: PoNumberParams, top: int
) -> ReceiptsResult:
    receipts = store.receipts(params.po_number)
    shown = receipts[-top:]  # the most recent deliveries
    left = len(receipts) - len(shown)
    return ReceiptsResult(
        items=shown,
        total=len(receipts),
        summary=f"{len(receipts)} goods receipt(s) for {params.po_number}"
        + (f"; the {left} oldest not shown" if left else ""),
    )


def check_duplicate_invoice(
    store: PurchaseOrderStore, params: CheckDuplicateParams, top: int
) -> DuplicateResult:
    found = store.invoices(supplier_name=params.supplier_name, invoice_number=params.invoice_number)
    return DuplicateResult(
        duplicate=bool(found),
        items=found[:top],
        total=len(found),
        summary=(
            f"invoice {params.invoice_number} is already booked against"
            f" {', '.join(r.po_number for r in found[:top])}"
            if found
            else f"invoice {params.invoice_number} is not booked against any PO"
        ),
    )


def get_supplier_history(
    store: PurchaseOrderStore, params: SupplierParams, top: int
) -> SupplierHistoryResult:
    history = store.supplier_history(params.supplier_name)
    recent = store.invoices(supplier_name=params.supplier_name, limit=top)
    return SupplierHistoryResult(
        history=history,
        recent_invoices=recent,
        summary=(
            f"{params.supplier_name}: {history.purchase_orders} PO(s),"
            f" {history.open_purchase_orders} open, {history.invoices_booked} invoice(s) booked"
            if history.known
            else f"{params.supplier_name!r} is not in the purchase-order store under this name"
        ),
    )


def run_tool(
    store: PurchaseOrderStore, name: str, arguments: dict[str, Any], top: int
) -> BaseModel:
    """Run a validated read-only tool (the arguments are validated again: defence in depth
    for a caller that skipped validate_call)."""
    spec = TOOLS[name]
    if spec.result is None:
        raise ValueError(f"{name} is not a look-up tool")
    params = spec.params.model_validate(arguments)
    if isinstance(params, QueryPurchaseOrdersParams):
        return query_purchase_orders(store, params, top)
    if isinstance(params, CheckDuplicateParams):
        return check_duplicate_invoice(store, params, top)
    if isinstance(params, PoNumberParams):
        if name == "get_purchase_order":
            return get_purchase_order(store, params, top)
        return get_goods_receipts(store, params, top)
    if isinstance(params, SupplierParams):
        return get_supplier_history(store, params, top)
    raise ValueError(f"no implementation for {name}")


def reference_keys(reference: str) -> list[str]:
    """The keys a printed PO number may have in the store ('4500-0142' is 'PO-4500-0142'
    on a PO when the supplier left the prefix out, and the other way round)."""
    key = ident_key(reference)
    return [key, key[2:]] if key.startswith("PO") and len(key) > 4 else [key, "PO" + key]
