"""Big things stay out of history: a 20-page invoice goes through the workflow and no single
payload in its event history is large, and the document's text is not in it at all.

Measured (20 pages, ~49,000 characters of text, 12 line items; time-skipping server):
36 payloads, the largest 15.4 KB - the `assess_invoice` input, which carries the whole
ExtractionResult (its per-field evidence repeats each line item's source line about five
times: ~0.9 KB per line item) plus the Settings snapshot (~3.0 KB, also in the
`load_policy` result and in every activity input that has `settings`). The document
travels as a 64-hex blob reference plus a 300-character preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fpdf import FPDF
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from tests.conftest import make_settings
from tests.harness import running_harness

PAYLOAD_BOUND = 16 * 1024
PAGES = 20
PAGE_15_MARKER = "Zanzibar-Quokka-Page15-Reference-8841"


TERMS = (
    "Service terms, clause {clause}: the supplier provides the archive storage service "
    "described in the order form. Retrieval requests received before noon are fulfilled "
    "on the next working day; requests received after noon take one further working day. "
    "Boxes are insured against fire and flood while in the supplier's custody."
)


def twenty_page_invoice() -> bytes:
    """Page 1 is the invoice; pages 2-20 are terms and usage notes (as long invoices are)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    for line in (
        "Northwind Archive Services Ltd",
        "Invoice number: NW-2020",
        "Invoice date: 01/10/2026",
        "Due date: 31/10/2026",
        "Description    Qty    Unit Price    VAT    Amount",
        *(f"Archive box storage, bay {bay}    10    £2.50    20%    £25.00" for bay in range(12)),
        "Subtotal: £300.00",
        "VAT: £60.00",
        "Total: £360.00",
    ):
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    for page in range(2, PAGES + 1):
        pdf.add_page()
        for clause in range(1, 9):
            pdf.multi_cell(0, 5, TERMS.format(clause=f"{page}.{clause}"))
            pdf.ln(2)
        if page == 15:
            pdf.multi_cell(0, 5, PAGE_15_MARKER)
    return bytes(pdf.output())


def _payloads(message: Message, where: str) -> Iterator[tuple[str, Payload]]:
    """Every Payload anywhere inside a history event, with the field path it sits at."""
    if isinstance(message, Payload):
        yield where, message
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        path = f"{where}.{field.name}"
        if field.message_type.GetOptions().map_entry:
            entry_value = field.message_type.fields_by_name["value"]
            if entry_value.message_type is not None:
                for key, item in value.items():
                    yield from _payloads(item, f"{path}[{key}]")
        elif field.is_repeated:
            for index, item in enumerate(value):
                yield from _payloads(item, f"{path}[{index}]")
        else:
            yield from _payloads(value, path)


def payload_sizes(history: WorkflowHistory) -> list[tuple[int, str]]:
    sizes = []
    for event in history.events:
        for where, payload in _payloads(event, f"event {event.event_id}"):
            sizes.append((payload.ByteSize(), where))
    return sorted(sizes, reverse=True)


async def test_twenty_page_invoice_keeps_history_small(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    data = twenty_page_invoice()
    async with running_harness(time_skipping_env, make_settings(tmp_path / "home")) as h:
        submission = await h.submit(data, "twenty-pages.pdf")
        state = await h.wait_status(
            submission.workflow_id, "awaiting_approval", "drafted", "flagged", "rejected_input"
        )
        assert state.document is not None and state.document.ok
        assert state.document.pages == PAGES
        assert state.document.text_ref is not None
        # The text lives in the blob store (it is what the extractor read)...
        text = h.deps.blobs.get_text(state.document.text_ref.sha256)
        assert PAGE_15_MARKER in text and len(text) > 40_000
        assert state.extraction is not None and state.extraction.invoice.invoice_number

        history = await h.handle(submission.workflow_id).fetch_history()
        sizes = payload_sizes(history)
        largest, where = sizes[0]
        print(f"\n{len(sizes)} payloads; largest {largest:,} bytes at {where}")
        for size, at in sizes[:5]:
            print(f"  {size:>7,}  {at}")
        assert largest <= PAYLOAD_BOUND, f"{where} is {largest:,} bytes"
        # ...and never in history: not the text, not the PDF. (Search the decoded payload
        # bytes: history JSON carries payload data base64-encoded.)
        decoded = b"".join(p.data for e in history.events for _, p in _payloads(e, ""))
        assert PAGE_15_MARKER.encode() not in decoded
        assert b"clause 15.3" not in decoded
