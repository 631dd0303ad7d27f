"""What a label's words say about the field next to it (EN, DE, FR, NL, IT, ES).

When an approved value is printed more than once (the total as "TOTAL TTC" and as
"NET A PAYER"; the VAT in the breakdown table and in the totals box), only one place
holds that field on the next invoice too. These weights prefer the label that names the
field and avoid the one that names a neighbour (a prepaid amount makes "net à payer"
differ from the total; a second VAT rate makes the breakdown row differ from the VAT
total). A nudge, not a rule: position and layout still decide among equals.
"""

from __future__ import annotations

_TAX_WORDS = ("tva", "vat", "mwst", "ust", "tax", "btw", "iva", "steuer", "umsatzsteuer")
_WEIGHTS: dict[str, dict[str, float]] = {
    "total_minor": {
        "total": 0.1, "ttc": 0.15, "gesamt": 0.15, "gesamtbetrag": 0.15, "brutto": 0.1,
        "bruttobetrag": 0.15, "totaal": 0.1, "totale": 0.1, "grand": 0.1, "incl": 0.15,
        "inkl": 0.15, "rechnungsbetrag": 0.15, "ht": -0.3, "net": -0.2, "netto": -0.2,
        "subtotal": -0.3, "excl": -0.3, "zwischensumme": -0.3, "payer": -0.1, "paid": -0.2,
        "payé": -0.2, "bezahlt": -0.2, "acompte": -0.2, "anzahlung": -0.2,
        **{w: -0.2 for w in _TAX_WORDS},
    },
    "subtotal_minor": {
        "ht": 0.15, "subtotal": 0.15, "sub": 0.1, "netto": 0.1, "net": 0.05, "nettobetrag": 0.15,
        "zwischensumme": 0.15, "excl": 0.15, "hors": 0.1, "imponibile": 0.1, "subtotaal": 0.15,
        "ttc": -0.3, "payer": -0.2, "brutto": -0.3, "gesamtbetrag": -0.1, "due": -0.2,
        "incl": -0.3, "inkl": -0.3, **{w: -0.15 for w in _TAX_WORDS},
    },
    "tax_total_minor": {
        **{w: 0.1 for w in _TAX_WORDS}, "total": 0.05, "summe": 0.05, "ttc": -0.3,
        "ht": -0.2, "base": -0.2, "excl": -0.2, "taux": -0.2, "rate": -0.2, "satz": -0.2,
    },
    "invoice_number": {
        "invoice": 0.1, "facture": 0.1, "rechnung": 0.1, "rechnungsnummer": 0.15,
        "factuur": 0.1, "factuurnummer": 0.15, "fattura": 0.1, "factura": 0.1, "no": 0.05,
        "nr": 0.05, "n": 0.05, "number": 0.05, "nummer": 0.05, "numéro": 0.05, "order": -0.2,
        "bestellung": -0.2, "commande": -0.2, "customer": -0.2, "kunde": -0.2, "client": -0.2,
        "kundennummer": -0.3, "auftrag": -0.2, "contrat": -0.2, "contract": -0.2,
    },
    "issue_date": {
        "date": 0.05, "datum": 0.05, "invoice": 0.05, "rechnungsdatum": 0.15, "facture": 0.05,
        "fecha": 0.05, "data": 0.05, "factuurdatum": 0.15, "due": -0.3, "échéance": -0.3,
        "fällig": -0.3, "fälligkeit": -0.3, "livraison": -0.2, "delivery": -0.2,
        "lieferdatum": -0.2, "leistungsdatum": -0.1, "order": -0.2, "zahlbar": -0.3,
        "début": -0.2, "fin": -0.2, "period": -0.2, "période": -0.2, "vervaldatum": -0.3,
    },
    "due_date": {
        "due": 0.15, "échéance": 0.15, "fällig": 0.15, "fälligkeit": 0.15, "zahlbar": 0.1,
        "vervaldatum": 0.15, "scadenza": 0.15, "vencimiento": 0.15, "payment": 0.05,
        "zahlungsziel": 0.1, "livraison": -0.2, "delivery": -0.2, "invoice": -0.05,
    },
}  # fmt: skip


def label_prior(field: str, label: str) -> float:
    """A score nudge in -0.3..0.25 for a normalised label next to this field's value."""
    weights = _WEIGHTS.get(field)
    if not weights or not label:
        return 0.0
    total = sum(weights.get(word, 0.0) for word in set(label.split()))
    return max(-0.3, min(0.25, total))
