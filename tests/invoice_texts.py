"""Plain-text invoices for workflow tests (the PDFs are covered by the sample tests)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Line:
    description: str
    quantity: int
    unit_price_minor: int
    vat_percent: int = 20

    @property
    def total_minor(self) -> int:
        return self.quantity * self.unit_price_minor


def _money(minor: int) -> str:
    return f"£{minor // 100:,}.{minor % 100:02d}"


@dataclass
class TextInvoice:
    supplier: str = "Acme Office Supplies Ltd"
    number: str | None = "INV-1001"
    issue: str = "01/10/2026"
    due: str = "31/10/2026"
    lines: list[Line] = field(
        default_factory=lambda: [
            Line("A4 copier paper, box of 5 reams", 4, 2450),
            Line("Toner cartridge", 2, 6800),
        ]
    )
    total_override_minor: int | None = None
    extra_text: str = ""

    def render(self) -> str:
        subtotal = sum(line.total_minor for line in self.lines)
        vat = sum(line.total_minor * line.vat_percent // 100 for line in self.lines)
        total = (
            self.total_override_minor if self.total_override_minor is not None else subtotal + vat
        )
        rows = "\n".join(
            f"{line.description}    {line.quantity}    {_money(line.unit_price_minor)}    "
            f"{line.vat_percent}%    {_money(line.total_minor)}"
            for line in self.lines
        )
        number = f"Invoice No: {self.number}\n" if self.number else ""
        return (
            f"{self.supplier}\n12 High Street, London EC1A 1BB\nVAT Reg No: GB123456789\n\n"
            f"INVOICE\n{number}Invoice Date: {self.issue}\nDue Date: {self.due}\n\n"
            f"Bill to: Vouchflow Demo Ltd\n\n"
            f"Description    Qty    Unit Price    VAT    Amount\n{rows}\n\n"
            f"Subtotal: {_money(subtotal)}\nVAT: {_money(vat)}\nTotal: {_money(total)}\n"
            f"{self.extra_text}\nPayment terms: 30 days\n"
        )

    def bytes(self) -> bytes:
        return self.render().encode("utf-8")
