"""The printed labels the rules extractor looks for, in English, German, French, Dutch
(and a little Polish), each with a rank: a higher rank is a more specific label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    pattern: re.Pattern[str]
    rank: int


# Text layers glue values to labels ("993548900Factuurnummer:"), so a label may start
# right after a digit: only a preceding letter disqualifies it.
_WORD_START = re.compile(r"\\b(?=[^\W\d_]|\(\?:)")


def _word_edges(pattern: str) -> str:
    # Also accept a capitalised label glued to the previous word ("TTCSomme à payer").
    start = _WORD_START.sub(
        lambda _: r"(?:(?<![^\W\d_])|(?-i:(?<=[A-Za-z])(?=[A-Z][a-zà-ÿ])))", pattern
    )
    return start.replace(r"\b", r"(?![^\W\d_])")


def _labels(*specs: tuple[str, int]) -> list[Label]:
    return [Label(re.compile(_word_edges(p), re.I), rank) for p, rank in specs]


_NO = r"(?:n(?:o|r|um(?:ber|ero|éro)?)\.?|n°|nº|#|number|nummer)"

INVOICE_NUMBER = _labels(
    (rf"\binvoice\s*{_NO}", 3),
    (r"\binvoice\s*id\b", 3),
    (r"\brechnungs-?\s*(?:nummer|nr\.?)", 3),
    (r"\brechnung\s*nr\.?", 3),
    (rf"\bfacture\s*{_NO}", 3),
    (r"\bn[°º]\s*(?:de\s+)?facture\b", 3),
    (r"\bnuméro\s+de\s+facture\b", 3),
    (r"\bfactuur\s*(?:nummer|nr\.?)", 3),
    (r"\bfaktura\s*(?:vat\s*)?nr\.?", 3),
    (r"\bbill\s*(?:no|number|#)\.?", 2),
    (r"\breceipt\s*(?:no|number|#)\.?", 2),
    # A receipt's only identifier; any invoice-number label outranks it.
    (r"\b(?:booking|reservation|receipt)\s*(?:id|ref(?:erence)?)\b", 1),
)
# A title on a line of its own, with the number on the next line.
INVOICE_TITLE = re.compile(r"^\s*(?:tax\s+)?(?:invoice|rechnung|facture|factuur|faktura)\s*$", re.I)

# A document titled as a credit note. Only a heading counts: the title alone, or
# followed by a number label or an identifier with a digit ("Credit note CN-12 ...",
# "Gutschrift Nr. 4711"), never by running prose ("avoir un impact", "Credit note
# will follow") -- the caller also ignores lines that carry amounts.
CREDIT_NOTE_TITLE = re.compile(
    r"^\s*(?i:(?:tax\s+)?(?:credit\s*note|credit\s*memo(?:randum)?|gutschrift|"
    r"rechnungskorrektur|stornorechnung|facture\s+d['\u2019]\s?avoir|avoir|"
    r"note\s+de\s+cr[ée]dit|nota\s+de\s+cr[ée]dito|nota\s+di\s+credito|"
    r"credit\s?nota|kreditnota|creditfactuur|faktura\s+korygująca))"
    r"(?:\s*:?\s*$"
    r"|\s*[:#]?\s*(?i:n[°ºo]\.?|no\.?|nr\.?|num[ée]ro|number|nummer|núm\.?|n\.)(?!\w)"
    r"|\s*[:#]?\s+[A-Z0-9][\w/.\-]*\d[\w/.\-]*(?:\s|$)"
    r"|\s*[:#]\s*[A-Za-z0-9][\w/.\-]*\d[\w/.\-]*(?:\s|$))"
)

ISSUE_DATE = _labels(
    (r"\b(?:invoice|billing|issue|tax\s*point)\s*date\b", 3),
    (r"\bdate\s+of\s+(?:invoice|issue)\b", 3),
    (r"\brechnungsdatum\b", 3),
    (r"\bdate\s+(?:de\s+(?:la\s+)?)?facture\b(?!\s*associ)", 3),
    (r"\bdate\s+d['\u2019]émission\b", 3),
    (r"\bfactuurdatum\b|\bfactuur\s*datum\b", 3),
    (r"\bdata\s+wystawienia\b", 3),
    (r"\b(?:datum|date|dated|fecha|data)\b", 1),
)
# Words that make a nearby "date" some other date than the issue date.
OTHER_DATE_WORDS = re.compile(
    r"due|order|deliver|ship|livraison|d[ée]but|\bfin\b|échéance|echeance|limite|valid|expir|"
    r"prestation|associ|start|\bend\b|check|period|fällig|liefer|leistung|verval|bestel|"
    r"naissance|birth|paid|payment|zahlung|paiement|lever|order",
    re.I,
)

DUE_DATE = _labels(
    (r"\bdue\s*date\b|\bdate\s+due\b|\bpayment\s+due\b|\bpay(?:able)?\s+by\b", 3),
    (r"\bfällig(?:keitsdatum|\s+am|\s+bis)?\b|\bzahlbar\s+bis\b|\bzahlungsziel\b", 3),
    (r"\bdate\s+d['\u2019]échéance\b|\béchéance\b|\bdate\s+limite\s+de\s+paiement\b", 3),
    (r"\bvervaldatum\b|\buiterlijk\s+betalen\b|\bbetalen\s+voor\b", 3),
    (r"\btermin\s+płatności\b", 3),
    (r"\bdue\b", 1),
)

# Negative lookaheads keep "Total" from matching net/tax totals.
_NOT_NET_OR_TAX = (
    r"(?!\s*(?:ht\b|hors|net\b|netto|excl|ex\.?\s|before|vat\b|tax\b|tva\b|btw\b|mwst|ust|"
    r"steuer|amount\s+due|due))"
)
TOTAL = _labels(
    (r"\bgrand\s+total\b|\btotal\s+ttc\b|\bmontant\s+ttc\b|\binvoice\s+total\b", 4),
    (r"\btotal\s+(?:amount|for\s+this\s+invoice|incl\.?|including|gross)\b", 4),
    (r"\bgesamtbetrag\b|\brechnungsbetrag\b|\bbruttobetrag\b|\bgesamtsumme\b", 4),
    (r"\btotaal\s+(?:incl\.?|inclusief)|\bfactuur\s*totaal\b|\btotaalbedrag\b", 4),
    (r"\bnależność\s+ogółem\b|\brazem\s+do\s+zapłaty\b", 4),
    (rf"\btotal\b{_NOT_NET_OR_TAX}|\btotaal\b{_NOT_NET_OR_TAX}|\bsumme\b{_NOT_NET_OR_TAX}", 3),
    (r"\bamount\s+due\b|\bbalance\s+due\b|\btotal\s+due\b|\bamount\s+payable\b", 2),
    (r"\bnet\s+[àa]\s+payer\b|\bsomme\s+[àa]\s+payer\b|\bmontant\s+[àa]\s+payer\b", 2),
    (r"\bzu\s+zahlen\b|\bte\s+betalen\b|\bzahlbetrag\b", 2),
)

SUBTOTAL = _labels(
    (r"\btotal\s+ht\b|\bmontant\s+(?:total\s+)?ht\b|\btotal\s+hors\s+taxes?\b", 4),
    (r"\bnettobetrag\b|\bsumme\s+netto\b|\bgesamt\s+netto\b|\bnetto(?:summe|betrag)\b", 4),
    (r"\bexclusief\s+btw\b|\btotaal\s+excl\.?(?:\s+btw)?\b|\bexcl\.?\s+btw\b", 4),
    (r"\btotal\s+(?:net|excl\.?|excluding|before\s+tax|ex\.?\s+vat)\b", 4),
    (r"\bnet\s+(?:amount|total)\b|\bamount\s+before\s+tax\b", 3),
    (r"\bsub-?\s*total\b|\bsubtotaal\b|\bzwischensumme\b|\bsous-total\b", 3),
    (r"\brazem\b", 2),
    (r"^\s*net\b|\bnetto\b", 1),
)

TAX = _labels(
    (r"\btotal\s+(?:vat|tax|tva|btw|mwst)\b", 4),
    (r"\bmontant\s+(?:total\s+)?(?:de\s+la\s+)?tva\b", 3),
    (r"\b(?:vat|tax|gst)\s+(?:amount|total)\b|\btotal\s+sales\s+tax\b", 4),
    (r"\bsumme\s+(?:mwst|ust)\b|\bbtw\s+bedrag\b|\bkwota\s+vat\b", 4),
    (r"\b(?:vat|tax|gst|hst|tva|btw|mwst|ust|umsatzsteuer|mehrwertsteuer|sales\s+tax)\b", 2),
)
# A VAT/tax label that is really an identifier ("VAT No", "N° TVA", "USt-IdNr").
TAX_ID_CONTEXT = re.compile(
    r"(?:vat|tva|btw|tax|ust|mwst|gst)[\s-]*(?:reg\.?|registration|id|no\b|nr\b|number|"
    r"nummer|intra|#|identification|-?idnr|numéro)|n[°º]\s*(?:de\s+)?tva|tin\b|ust-?id",
    re.I,
)

SUPPLIER = _labels(
    (r"^\s*(?:from|supplier|seller|vendor|sold\s+by|issued\s+by|service\s+provider)\s*:", 4),
    (r"^\s*(?:lieferant|verkäufer|rechnungssteller|fournisseur|vendeur|émetteur)\s*:", 4),
    (r"^\s*(?:leverancier|verkoper|sprzedawca)\s*:", 4),
    (
        r"\b(?:account\s+holder|account\s+name|payable\s+to|titulaire\s+du\s+compte|"
        r"kontoinhaber|rekeninghouder|ten\s+name\s+van)\s*:",
        3,
    ),
    (r"\bsold\s+by\b|\bpayment\s+received\s+by\b", 2),
)
# A seller heading without a colon ("Seller", "Seller  Customer address" in a two-column
# header): the name is on the next line.
SUPPLIER_HEADING = re.compile(
    r"^\s*(?:seller|supplier|vendor|issued\s+by|fournisseur|vendeur|émetteur|verkäufer|"
    r"lieferant|rechnungssteller|leverancier|verkoper|sprzedawca)\b(?!\s*:)",
    re.I,
)
# Blocks that name the customer, not the supplier.
BUYER_CONTEXT = re.compile(
    r"\b(?:bill(?:ed)?\s+to|billing\s+address|ship(?:ped)?\s+to|shipping\s+address|"
    r"invoice\s+to|customer|client|kunde|rechnungsempfänger|lieferadresse|destinataire|"
    r"factuuradres|afleveradres|nabywca|attn|buyer|acheteur|sold\s+to|deliver\s+to)\b",
    re.I,
)
LEGAL_FORM = re.compile(
    r"(?<![\w])(?:ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|plc|llp|gmbh|ag|kg|"
    r"ohg|e\.k|ug|sarl|s\.a\.r\.l|sas|s\.a\.s|sa|s\.a|eurl|bv|b\.v|nv|n\.v|vof|s\.r\.l|srl|"
    r"s\.p\.a|spa|oy|ab|as|a/s|aps|pvt\.?\s+ltd|pty\.?\s+ltd|sp\.\s*z\s*o\.o|"
    r"spółka\s+akcyjna)\.?(?![\w])",
    re.I,
)

INVOICE_WORDS = re.compile(
    r"\b(?:invoice|rechnung|facture|factuur|faktura|tax\s+invoice|bill|receipt|quittung)\b",
    re.I,
)
