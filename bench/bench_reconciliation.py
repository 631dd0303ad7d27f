"""Reconciliation benchmark: a few hundred invoices against generated purchase orders with
realistic noise, matched by code first and by the agent loop where code cannot decide.

    .venv/bin/python bench/bench_reconciliation.py [--invoices 400] [--seed 13]

Noise: PO numbers printed with typos or not at all, repeat orders that look alike,
partial deliveries (billed in full or for what arrived), price changes inside and
outside the tolerance, duplicates of booked invoices, supplier names written
differently, invoices for which no PO exists.

The matcher, the loop, the tools and the verifier are the code the workflow runs; the
loop is driven here by direct calls instead of activities (same `AgentLoop`, same tool
and verification functions), and the model is a scripted one behind the local OpenAI
fake, reached through the real SDK (Responses API function calling). The scripted model
is deliberately careless: where several POs fit it picks one, so the figures show what
code verification catches. Prints: deterministic match rate, agent match rate, wrong
matches accepted (must be 0), mean iterations and tokens per agent run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.invoice.invoice import Invoice, LineItem
from schemas.reconciliation.agent import (
    AgentMessage,
    AgentStep,
    ModelTurnRequest,
    ModelTurnResult,
    ProposedMatch,
    Verification,
)
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.purchase_orders import (
    GoodsReceipt,
    InvoicedRecord,
    PoLine,
    PurchaseOrder,
    ReceiptLine,
)
from schemas.reconciliation.tools import ToolRequest, ToolResponse
from schemas.reconciliation.workflow import AgentSummary
from vouchflow.reconciliation.candidates import load_candidates
from vouchflow.reconciliation.loop import AgentLoop, StepFailed
from vouchflow.reconciliation.matching import match_invoice
from vouchflow.reconciliation.model_turn import run_model_turn
from vouchflow.reconciliation.prompt import first_message, system_prompt
from vouchflow.reconciliation.tools import run_tool
from vouchflow.reconciliation.verify import verify_proposal
from vouchflow.settings import load_settings
from vouchflow.stores.purchase_orders_sqlite import SqlitePurchaseOrderStore
from vouchflow.testing.fakes import FakeOpenAI, Reply, ScriptedCall

WORDS = (
    "Acme",
    "Northwind",
    "Bluefield",
    "Harbour",
    "Kestrel",
    "Orion",
    "Granite",
    "Willow",
    "Summit",
    "Beacon",
    "Falcon",
    "Meridian",
    "Copper",
    "Linden",
    "Atlas",
    "Vertex",
    "Cobalt",
    "Juniper",
    "Sterling",
    "Harper",
    "Quill",
    "Maple",
)
TRADES = ("Office Supplies", "Logistics", "Catering", "Engineering", "Print", "Facilities")
ITEMS = (
    "Copier paper A4",
    "Toner cartridge",
    "Pallet delivery",
    "Site survey",
    "Cleaning service",
    "Safety boots",
    "Cable set",
    "Printed brochures",
    "Desk chair",
    "Monitor arm",
)
NOISE = (
    "clean",
    "no_ref",
    "typo",
    "lookalike",
    "partial_full",
    "partial_received",
    "price_small",
    "price_large",
    "duplicate",
    "name_variant",
    "no_po",
)


@dataclass
class Case:
    invoice: Invoice
    references: list[str]
    expected_po: str | None  # the PO a person would match; None = must go to review
    noise: str


def typo(po_number: str, rng: random.Random) -> str:
    chars = list(po_number)
    digits = [i for i, c in enumerate(chars) if c.isdigit()]
    i = rng.choice(digits)
    kind = rng.random()
    if kind < 0.4:
        chars[i] = "O" if chars[i] == "0" else str((int(chars[i]) + 1) % 10)
    elif kind < 0.7 and i + 1 < len(chars) and chars[i + 1].isdigit():
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        del chars[i]
    out = "".join(chars)
    return out if out != po_number else out + "1"


def build(n_invoices: int, seed: int) -> tuple[list[Any], list[Any], list[Any], list[Case]]:
    rng = random.Random(seed)
    pos: list[PurchaseOrder] = []
    receipts: list[GoodsReceipt] = []
    booked: list[InvoicedRecord] = []
    cases: list[Case] = []
    counter = iter(range(10_000, 99_999))
    day = dt.date(2026, 1, 5)

    def new_po(
        supplier: str, *, lines: list[PoLine] | None = None, status: str = "open"
    ) -> PurchaseOrder:
        number = f"PO-{next(counter)}"
        if lines is None:
            lines = []
            for i in range(rng.randint(1, 4)):
                qty = rng.randint(1, 40)
                price = rng.randint(250, 90_000)
                lines.append(
                    PoLine(
                        line_no=i + 1,
                        description=rng.choice(ITEMS),
                        quantity=Decimal(qty),
                        unit_price_minor=price,
                        line_total_minor=qty * price,
                    )
                )
        po = PurchaseOrder(
            po_number=number,
            supplier_name=supplier,
            currency="GBP",
            status=status,
            issued_on=day + dt.timedelta(days=rng.randint(0, 60)),
            lines=lines,
        )
        pos.append(po)
        return po

    def receive(po: PurchaseOrder, fraction: float = 1.0) -> None:
        lines = []
        for line in po.lines:
            qty = (
                line.quantity if fraction >= 1 else Decimal(int(line.quantity * Decimal(fraction)))
            )
            if qty > 0:
                lines.append(ReceiptLine(line_no=line.line_no, quantity=qty))
        if lines:
            receipts.append(
                GoodsReceipt(
                    receipt_id=f"GR-{next(counter)}",
                    po_number=po.po_number,
                    received_on=po.issued_on + dt.timedelta(days=7),
                    lines=lines,
                )
            )

    suppliers = [
        f"{a} {t} Ltd"
        for a, t in zip(rng.sample(WORDS, 20), rng.choices(TRADES, k=20), strict=True)
    ]
    # Every supplier has some other open POs: background the matcher must see past.
    for supplier in suppliers:
        for _ in range(rng.randint(2, 5)):
            receive(new_po(supplier))

    def invoice_for(
        po: PurchaseOrder, net: int, *, supplier: str | None = None, number: str | None = None
    ) -> Invoice:
        return Invoice(
            supplier_name=supplier or po.supplier_name,
            invoice_number=number or f"INV-{next(counter)}",
            issue_date=po.issued_on + dt.timedelta(days=10),
            currency="GBP",
            subtotal_minor=net,
            tax_total_minor=net // 5,
            total_minor=net + net // 5,
            line_items=[
                LineItem(
                    description=line.description,
                    quantity=line.quantity,
                    unit_price_minor=line.unit_price_minor,
                    line_total_minor=line.line_total_minor,
                )
                for line in po.lines
            ],
        )

    for k in range(n_invoices):
        noise = NOISE[k % len(NOISE)]
        supplier = rng.choice(suppliers)
        po = new_po(supplier)
        total = po.total_minor
        if noise == "clean":
            receive(po)
            cases.append(Case(invoice_for(po, total), [po.po_number], po.po_number, noise))
        elif noise == "no_ref":
            receive(po)
            cases.append(Case(invoice_for(po, total), [], po.po_number, noise))
        elif noise == "typo":
            receive(po)
            cases.append(
                Case(invoice_for(po, total), [typo(po.po_number, rng)], po.po_number, noise)
            )
        elif noise == "lookalike":
            # A repeat order: same supplier, same lines, both delivered. Only the printed
            # number (here with a typo, or missing) can tell them apart.
            receive(po)
            twin = new_po(supplier, lines=[line.model_copy() for line in po.lines])
            receive(twin)
            printed = [typo(po.po_number, rng)] if rng.random() < 0.7 else []
            cases.append(
                Case(invoice_for(po, total), printed, po.po_number if printed else None, noise)
            )
        elif noise == "partial_full":
            receive(po, 0.5)
            po.status = "partially_received"
            cases.append(Case(invoice_for(po, total), [po.po_number], None, noise))
        elif noise == "partial_received":
            receive(po, 0.5)
            po.status = "partially_received"
            facts_value = sum(
                int(Decimal(int(line.quantity * Decimal("0.5"))) * line.unit_price_minor)
                for line in po.lines
            )
            if facts_value <= 0:
                receive(po)
                facts_value = total
            cases.append(Case(invoice_for(po, facts_value), [], po.po_number, noise))
        elif noise == "price_small":
            receive(po)
            net = total + max(1, total * 3 // 10_000)  # +0.03 %, inside 0.5 %
            cases.append(Case(invoice_for(po, net), [po.po_number], po.po_number, noise))
        elif noise == "price_large":
            receive(po)
            net = total + total * rng.randint(3, 12) // 100  # +3..12 %
            cases.append(Case(invoice_for(po, net), [po.po_number], None, noise))
        elif noise == "duplicate":
            receive(po)
            number = f"INV-{next(counter)}"
            booked.append(
                InvoicedRecord(
                    po_number=po.po_number,
                    supplier_name=supplier,
                    invoice_number=number,
                    amount_minor=total,
                    invoiced_on=po.issued_on + dt.timedelta(days=12),
                )
            )
            cases.append(Case(invoice_for(po, total, number=number), [po.po_number], None, noise))
        elif noise == "name_variant":
            receive(po)
            short = supplier.split()[0].upper()  # "ACME" for "Acme Office Supplies Ltd"
            cases.append(Case(invoice_for(po, total, supplier=short), [], po.po_number, noise))
        else:  # no_po: an invoice from a supplier the store never heard of
            pos.remove(po)
            cases.append(
                Case(invoice_for(po, total, supplier="Unknown Traders GmbH"), [], None, noise)
            )
    return pos, receipts, booked, cases


# ---- the scripted model (reads the Responses request it is sent) ---------------------


def scripted_model(body: dict[str, Any]) -> Reply:
    items = body["input"]
    first = items[0]["content"]
    invoice = json.loads(first.split("INVOICE (JSON):\n", 1)[1].split("\n\nWhat code found", 1)[0])
    outputs = [i for i in items if i.get("type") == "function_call_output"]
    calls = [i for i in items if i.get("type") == "function_call"]
    net = int(invoice["net_amount_minor"])
    if not outputs:
        # Any supplier: the name on the invoice may not be the one on the PO.
        return Reply.tools(
            ScriptedCall(
                "query_purchase_orders",
                {
                    "supplier_name": None,
                    "min_amount_minor": net - net // 100,
                    "max_amount_minor": net + net // 100,
                    "currency": invoice["currency"],
                    "issued_from": None,
                    "issued_to": None,
                    "status": "any",
                },
            )
        )
    found = json.loads(outputs[0]["output"]).get("items", [])
    found = [f for f in found if f["status"] != "closed"]
    if not found:
        return Reply.tools(ScriptedCall("escalate", {"reason": "no open PO near the amount"}))
    printed = invoice["po_numbers_printed"]

    def closeness(f: dict[str, Any]) -> tuple[int, int]:
        distance = min((Levenshtein.distance(p, f["po_number"]) for p in printed), default=99)
        return distance, abs(f["total_minor"] - net)

    # Careless on purpose: the first of the best, even when several look the same.
    choice = min(found, key=closeness)
    if len(calls) == 1:
        return Reply.tools(ScriptedCall("get_goods_receipts", {"po_number": choice["po_number"]}))
    return Reply.tools(
        ScriptedCall(
            "propose_match",
            {
                "po_number": choice["po_number"],
                "line_numbers": list(range(1, int(choice["lines"]) + 1)),
                "explanation": f"closest to the printed number and amount: {choice['po_number']}",
            },
        )
    )


class BenchRunner:
    """The workflow runner's calls, made directly (no Temporal)."""

    run_id = "bench"

    def __init__(
        self,
        store: SqlitePurchaseOrderStore,
        case: Case,
        policy: ReconciliationPolicy,
        env: dict[str, str],
        settings: Any,
    ) -> None:
        self._store = store
        self._case = case
        self._policy = policy
        self._env = env
        self._settings = settings

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def model_turn(self, request: ModelTurnRequest) -> ModelTurnResult:
        try:
            return await run_model_turn(request, self._settings, self._env)
        except Exception as err:
            raise StepFailed(str(err)) from err

    async def tool(self, request: ToolRequest) -> ToolResponse:
        started = time.monotonic()
        result = run_tool(self._store, request.name, request.arguments, request.max_results)
        return ToolResponse(
            name=request.name,
            content=result.model_dump_json(),
            summary=str(getattr(result, "summary", "")),
            latency_ms=int((time.monotonic() - started) * 1000),
        )

    async def verify(self, proposal: ProposedMatch) -> Verification:
        facts = self._store.facts(proposal.po_number)
        candidates = load_candidates(
            self._store,
            self._case.invoice,
            self._case.references,
            self._policy,
            also_supplier=facts.po.supplier_name if facts else None,
        )
        return verify_proposal(
            self._case.invoice, self._case.references, proposal, facts, candidates, self._policy
        )

    async def record(self, step: AgentStep) -> None:
        return None


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=396)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    pos, receipts, booked, cases = build(args.invoices, args.seed)
    policy = ReconciliationPolicy(agent="openai:gpt-5-mini")
    tmp = Path(tempfile.mkdtemp(prefix="bench-recon-"))
    store = SqlitePurchaseOrderStore(tmp / "po.sqlite3", seed_samples=False)
    store.load(pos, receipts, booked)
    settings = load_settings(env={"VOUCHFLOW_HOME": str(tmp / "home")})

    started = time.monotonic()
    by_code: Counter[str] = Counter()
    wrong: list[str] = []
    agent_runs = agent_matched = rejected = rejected_wrong = agent_matchable = 0
    iterations = tokens = 0
    stops: Counter[str] = Counter()
    code_matched = reviewed = 0
    per_noise: dict[str, Counter[str]] = {n: Counter() for n in NOISE}
    with FakeOpenAI.start() as fake:
        fake.respond_with(scripted_model)
        env = {"OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        for case in cases:
            candidates = load_candidates(store, case.invoice, case.references, policy)
            outcome = match_invoice(case.invoice, case.references, candidates, policy)
            matched_po: str | None = None
            how = "review"
            if outcome.decided:
                by_code[outcome.finding.kind] += 1
                if outcome.finding.kind == "matched":
                    matched_po, how = outcome.finding.po_number, "code"
                    code_matched += 1
            else:
                agent_runs += 1
                agent_matchable += case.expected_po is not None
                summary = AgentSummary(provider=policy.agent)
                loop = AgentLoop(
                    BenchRunner(store, case, policy, env, settings),
                    policy,
                    system=system_prompt(policy.prompt_version),
                    messages=[
                        AgentMessage(
                            role="user",
                            text=first_message(case.invoice, case.references, outcome, policy),
                        )
                    ],
                    steps=[],
                    summary=summary,
                )
                end = await loop.run(dt.datetime.now(dt.UTC))
                iterations += summary.iterations
                tokens += summary.tokens
                stops[end.stop_reason] += 1
                if end.matched and end.verification is not None:
                    matched_po, how = end.verification.po_number, "agent"
                    agent_matched += 1
                if end.stop_reason == "proposal_rejected" and end.proposal is not None:
                    rejected += 1
                    if end.proposal.po_number != case.expected_po:
                        rejected_wrong += 1
            if matched_po is None:
                reviewed += 1
            elif matched_po != case.expected_po:
                wrong.append(f"{case.noise}: matched {matched_po}, expected {case.expected_po}")
            per_noise[case.noise][how] += 1
    elapsed = time.monotonic() - started
    total = len(cases)
    store.close()

    print(f"Reconciliation benchmark: {total} invoices, {len(pos)} POs, seed {args.seed}")
    print(f"  deterministic match rate: {code_matched}/{total} = {code_matched / total:.1%}")
    print(f"  undecided by code, sent to the agent: {agent_runs} ({agent_runs / total:.1%})")
    rate = agent_matched / agent_runs if agent_runs else 0.0
    print(f"  agent match rate (verified by code): {agent_matched}/{agent_runs} = {rate:.1%}")
    print(f"  of the agent's invoices, {agent_matchable} have a PO a person would match")
    print(f"  proposals rejected by code: {rejected} (of which wrong: {rejected_wrong})")
    print(f"  wrong matches accepted: {len(wrong)}")
    matchable = sum(1 for c in cases if c.expected_po is not None)
    both = code_matched + agent_matched
    print(
        f"  invoices a person would match: {matchable}; matched by code {code_matched}"
        f" ({code_matched / matchable:.1%}), by code or agent {both} ({both / matchable:.1%})"
    )
    if agent_runs:
        print(
            f"  per agent run: {iterations / agent_runs:.2f} iterations,"
            f" {tokens / agent_runs:,.0f} tokens"
        )
    print(
        f"  to review: {reviewed}; decided by code without a match:"
        f" {dict((k, v) for k, v in by_code.items() if k != 'matched')}"
    )
    print(f"  agent stops: {dict(stops)}")
    print("  per kind of noise (matched by code / agent / review):")
    for noise in NOISE:
        c = per_noise[noise]
        print(f"    {noise:<17} {c['code']:>3} / {c['agent']:>3} / {c['review']:>3}")
    print(f"  {elapsed:.1f} s")
    for line in wrong[:10]:
        print("  WRONG:", line)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
