"""What invoice labels look like in English, German, French, Dutch, Italian and Spanish.

Patterns match the *folded* text of a segment (``fold``: case-folded, accents removed,
spaces collapsed), anchored at the start of the segment, so "Rechnungsnummer:" and
"N° de facture" are found wherever they sit on the page. Each label has a weight: how
surely it names the field (``invoice number`` is sure, a bare ``number`` is not).

A label also says what it must *not* be followed by: "Total" is the gross total, but
"Total HT" and "Rechnungssumme ohne USt." are the net amount.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Role = Literal[
    "invoice_number",
    "issue_date",
    "due_date",
    "gross",
    "net",
    "tax",
    "seller",
    "buyer",
    "other_date",
    "other_number",
    "prepaid",
]


def fold(text: str) -> str:
    """Case-folded, accent-free, single-spaced: the form labels are matched in."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("ß", "ss").split())


@dataclass(frozen=True)
class Label:
    role: Role
    pattern: re.Pattern[str]
    weight: float


_ARTICLE = (
    r"(?:(?:informationen|angaben|daten|details|information|info|donnees|coordonnees|gegevens|"
    r"dati|datos)\s+(?:zum|zur|about\s+the|about|of\s+the|on\s+the|du|de\s+la|des|van\s+de|"
    r"del|dello|de)?\s*)?(?:(?:l'|le |la |les |der |die |das |the |de |het |il |lo |el |los )\s*)?"
)


def _labels(role: Role, *specs: tuple[str, float]) -> list[Label]:
    # A label ends at a word edge, then optional punctuation the value is printed after.
    # Parties may carry an article ("L'acheteur", "Der Verkäufer").
    article = _ARTICLE if role in ("seller", "buyer") else ""
    return [
        Label(role, re.compile(r"^" + article + r"(?:" + p + r")(?![a-z_])\s*[:#.\-]*\s*", re.I), w)
        for p, w in specs
    ]


# "No.", "Nr.", "N°", "n.º" (Spanish), "n." (Italian), "#", "Number", "Nummer", "Numéro".
_NO = r"(?:n(?:o|r|um(?:ber|ero|mer)?)\.?|n\s?[°º]|n\.\s?[°ºo]?|#|number|nummer|numero|no\.)"

INVOICE_NUMBER = _labels(
    "invoice_number",
    (rf"(?:tax\s+|vat\s+|commercial\s+)?invoice\s*{_NO}", 1.0),
    (r"invoice\s+id", 0.9),
    (r"inv\.?\s*(?:no|nr|#|number)\.?", 0.9),
    (r"bill\s*(?:no|number|#)\.?", 0.8),
    (r"rechnungs?\s*-?\s*(?:nummer|nr\.?|no\.?)", 1.0),
    (r"rechnung\s*(?:\(\d+\)\s*)?(?:nr|no|nummer)\.?", 1.0),
    (r"[a-z]*rechnung(?:\s+[a-z]+){0,2}\s*(?:\(\d+\)\s*)?(?:nr|no|nummer)\.?", 1.0),
    (r"re\s*-?\s*nr\.?|rg\s*-?\s*nr\.?", 0.9),
    (r"beleg\s*-?\s*(?:nummer|nr\.?)", 0.8),
    (rf"{_NO}\s*(?:de\s+|du\s+|of\s+)?(?:la\s+)?(?:facture|factura|fattura|invoice|rechnung)", 1.0),
    (rf"(?:facture|factura|fattura|factuur)\s*{_NO}", 1.0),
    (r"factuur\s*-?\s*(?:nummer|nr\.?|no\.?)", 1.0),
    (r"numero\s+(?:de\s+|della\s+)?(?:la\s+)?(?:facture|factura|fattura)", 1.0),
    (r"document\s*(?:no|nr|number|#)\.?|doc\.?\s*(?:no|nr)\.?", 0.7),
    # A bare "No." is weak: it is the invoice number only when nothing surer is printed.
    (r"(?:no|nr|n\s?[°º]|number|nummer|numero)\.?(?=\s*[:#]?\s*[a-z/_-]*\d|\s*:?\s*$)", 0.45),
    # A bare title word counts only when a number-like token follows it ("Invoice INV/7").
    (
        r"(?:facture|invoice|rechnung|factuur|fattura|factura)(?=\s*[:#]\s*\S*\d|\s+[a-z/_-]*\d)",
        0.5,
    ),
    (r"reference\s+(?:de\s+)?(?:la\s+)?facture|invoice\s+reference", 0.8),
    # Credit notes carry their number under their own title, in every language.
    (
        rf"(?:credit\s*(?:note|memo)|gutschrift(?:s)?|avoir|creditnota|credit\s*nota|"
        rf"nota\s+(?:di|de)\s+credito|abono)\s*-?\s*{_NO}",
        1.0,
    ),
    (rf"gutschriftsnummer|{_NO}\s*(?:de\s+l\s?'?\s?|d\s?'?\s?)avoir", 1.0),
)

ISSUE_DATE = _labels(
    "issue_date",
    (r"invoice\s+date|date\s+of\s+(?:the\s+)?invoice|invoice\s+issue\s+date", 1.0),
    (r"(?:date\s+of\s+issue|issue\s+date|issued?\s+(?:on|date)|date\s+issued|billing\s+date)", 1.0),
    (r"rechnungs\s*-?\s*datum|ausstellungs\s*-?\s*datum|ausgestellt\s+am|belegdatum", 1.0),
    (r"date\s+(?:de\s+)?(?:la\s+)?(?:facture|facturation)|date\s+d\s?'?\s?emission", 1.0),
    (r"emise?\s+le|facture\s+du", 0.9),
    (r"factuur\s*-?\s*datum|datum\s+factuur", 1.0),
    (
        r"credit\s*(?:note|memo)\s+date|gutschrifts?\s*-?\s*datum|date\s+(?:de\s+)?(?:l\s?'?\s?)?avoir|"
        r"creditnota\s*-?\s*datum|data\s+(?:della\s+)?nota\s+di\s+credito|fecha\s+(?:de\s+)?(?:la\s+)?nota",
        1.0,
    ),
    (r"data\s+(?:della\s+)?fattura|data\s+(?:di\s+)?emissione|data\s+documento", 1.0),
    (r"fecha\s+(?:de\s+)?(?:la\s+)?(?:factura|emision|expedicion)", 1.0),
    (r"date|datum|data|fecha|dated", 0.5),
)

DUE_DATE = _labels(
    "due_date",
    (r"(?:payment\s+)?due\s+(?:date|by|on)|date\s+due|pay(?:able)?\s+by|payment\s+date", 1.0),
    (r"faellig\w*|fallig\w*|zahlbar\s+bis|zahlungsziel|zahlungstermin|zu\s+zahlen\s+bis", 1.0),
    (
        r"(?:date\s+d\s?'?\s?)?echeance|a\s+payer\s+(?:avant\s+)?le|date\s+(?:limite\s+)?de\s+(?:paiement|reglement)",
        1.0,
    ),
    (r"vervaldatum|uiterste\s+betaaldatum|te\s+betalen\s+voor", 1.0),
    (r"(?:data\s+(?:di\s+)?)?scadenza", 1.0),
    (r"(?:fecha\s+de\s+)?vencimiento", 1.0),
)

# Dates that are neither issue nor due: a bare "Date" next to them is not the issue date.
_REFERENCED = (
    r"(?:associee|d.origine|originale?|initiale|precedente|rectifiee|referenced|original|"
    r"related|prior|previous|corrected|urspruengliche|vorherige|bezogene|originele|"
    r"rettificata|rectificada)"
)

OTHER_DATE = _labels(
    "other_date",
    (
        rf"date\s+(?:de\s+)?(?:la\s+)?(?:facture|invoice)\s+{_REFERENCED}|{_REFERENCED}\s+invoice\s+date",
        1.0,
    ),
    (r"date\s+(?:de\s+)?(?:debut|fin)|start\s+date|end\s+date|(?:beginn|ende)\w*", 1.0),
    (r"(?:delivery|shipping|ship|order|service|supply|performance|tax\s+point)\s*date", 1.0),
    (
        r"(?:liefer|leistungs|bestell|auftrags|versand)\w*\s*(?:-?\s*und\s+\w+)?datum|lieferdatum",
        1.0,
    ),
    (r"liefer-?\s+und\s+leistungsdatum|leistungszeitraum|abrechnungszeitraum|zeitraum", 1.0),
    (r"date\s+de\s+(?:livraison|commande|prestation)|periode", 1.0),
    (r"(?:lever|order|bestel)\w*\s*datum|periode", 1.0),
    (r"data\s+(?:di\s+)?(?:consegna|ordine)|periodo|fecha\s+de\s+(?:entrega|pedido)", 1.0),
    (r"billing\s+period|period|stylesheet-version", 1.0),
)

# Numbers printed near the invoice number that are not it.
OTHER_NUMBER = _labels(
    "other_number",
    (
        rf"{_NO}\s*(?:de\s+)?(?:la\s+)?(?:facture|invoice|factura|fattura|rechnung)\s+{_REFERENCED}",
        1.0,
    ),
    (rf"{_REFERENCED}\s+invoice\s*(?:{_NO})?|(?:facture|invoice|rechnung)\s+{_REFERENCED}", 1.0),
    (
        r"(?:customer|client|account|order|purchase\s+order|po|delivery\s+note|contract)\s*(?:no|nr|number|#|id)?\.?",
        1.0,
    ),
    (r"(?:kunden|bestell|auftrags|liefer\w*|vertrags|steuer|projekt)\s*-?\s*(?:nummer|nr\.?)", 1.0),
    (r"(?:numero|n[°º]|no)\s+(?:de\s+)?(?:client|commande|tva|siret|siren|contrat)", 1.0),
    (r"(?:klant|order|bestel)\s*(?:nummer|nr\.?)|(?:codice|numero)\s+cliente", 1.0),
    # "USt-IdNr.", "VAT No.", "VAT Reg.", "MwSt.-Nr.": an identifier; "MwSt. 19 %" is the tax.
    (
        r"(?:vat|tax|ust|mwst|btw|tva|iva)\.?\s*-?\s*(?:id\.?\s*-?\s*(?:nr|no|number|nummer)?|"
        r"reg(?:istration)?|no|nr|number|nummer|identification(?:\s+number)?)",
        1.0,
    ),
    (r"(?:umsatz)?steuer\s*-?\s*ident\w*|n[°º]?\s*(?:de\s+)?tva\s+intra\w*", 1.0),
)

_NOT_NET = (
    r"(?!\s*(?:excl|excluding|ex\.|ex\s|before|net|ohne|netto|hors|ht\b|h\.t|zonder|senza|"
    r"sin\s|sans))"
)
GROSS = _labels(
    "gross",
    (
        r"(?:invoice\s+)?total\s+(?:amount\s+)?(?:incl\.?|including|inc\.?|with)\s*(?:vat|tax|gst)",
        1.0,
    ),
    (
        r"gross\s+(?:total|amount|sum)(?:\s+amount)?|grand\s+total|invoice\s+total(?:\s+amount)?",
        1.0,
    ),
    (rf"total\s+(?:amount|sum|invoice|due|to\s+pay|payable){_NOT_NET}", 0.85),
    (rf"total{_NOT_NET}", 0.6),
    (r"amount\s+(?:due|payable|to\s+pay)|balance\s+due|total\s+due", 0.6),
    (
        r"brutto\s*-?\s*(?:summe|betrag|gesamt)?|gesamt\s*-?\s*(?:betrag|summe)\s*(?:brutto|inkl\.?.*)?",
        1.0,
    ),
    (rf"rechnungs\s*-?\s*(?:betrag|summe|gesamtbetrag){_NOT_NET}|endbetrag|endsumme", 0.9),
    (r"summe\s+brutto|gesamt\s+brutto|betrag\s+inkl\.?|summe\s+inkl\.?", 1.0),
    (rf"gesamt{_NOT_NET}|summe{_NOT_NET}", 0.55),
    (r"zahlbetrag|zu\s+zahlen(?:der\s+betrag)?|faelliger\s+betrag|offener\s+betrag", 0.6),
    (r"(?:montant\s+)?total\s+t\.?t\.?c\.?|montant\s+t\.?t\.?c\.?|total\s+toutes\s+taxes", 1.0),
    (r"total\s+(?:de\s+la\s+)?facture|montant\s+total(?:\s+(?:de\s+la\s+)?facture)?", 0.9),
    (r"net\s+a\s+payer|total\s+a\s+payer|montant\s+a\s+payer|reste\s+a\s+payer", 0.6),
    (r"totaal\s*(?:bedrag)?\s*(?:incl\.?|inclusief)\s*(?:btw)?|totaalbedrag|factuurbedrag", 1.0),
    (rf"totaal{_NOT_NET}|te\s+betalen", 0.6),
    (r"totale\s+(?:fattura|documento|complessivo|ivato)|importo\s+totale", 1.0),
    (rf"totale{_NOT_NET}|totale\s+da\s+pagare|netto\s+a\s+pagare", 0.6),
    (r"total\s+(?:de\s+la\s+)?factura|importe\s+total|total\s+a\s+pagar", 1.0),
)

NET = _labels(
    "net",
    (
        r"sub\s*-?\s*total|net\s+(?:total|amount|value|sum)(?:\s+amount)?|total\s+(?:amount\s+)?net",
        1.0,
    ),
    (r"total\s+(?:amount\s+)?(?:excl\.?|excluding|ex\.?|before|without)\s*(?:vat|tax|gst)?", 1.0),
    (r"(?:amount|total)\s+before\s+tax|taxable\s+amount|tax\s+base", 0.9),
    (
        r"netto\s*-?\s*(?:summe|betrag|gesamt)?|gesamt\s*-?\s*(?:betrag|summe)?\s*netto|summe\s+netto",
        1.0,
    ),
    (
        r"(?:rechnungs)?summe\s+(?:ohne|exkl\.?)\s*(?:ust|mwst)|betrag\s+(?:ohne|exkl\.?)|zwischensumme",
        1.0,
    ),
    (
        r"steuerbasis|basisbetrag|bemessungsgrundlage|warenwert|positionssumme|summe\s+positionen",
        0.6,
    ),
    (
        r"(?:montant\s+|total\s+)?h\.?t\.?|total\s+hors\s+taxes?|sous\s*-?\s*total|base\s+(?:ht|imposable)",
        1.0,
    ),
    (r"subtotaal|totaal\s+(?:excl\.?|exclusief)|netto\s*bedrag", 1.0),
    (r"(?:totale\s+)?imponibile|subtotale|totale\s+netto", 1.0),
    (r"base\s+imponible|importe\s+neto|subtotal", 1.0),
)

TAX = _labels(
    "tax",
    # "zzgl. 19 % USt.", "plus VAT 20%", "+ TVA 20 %", "inkl. 7% MwSt.": the tax amount.
    (
        r"(?:zzgl\.?|zuzgl\.?|zuzueglich|plus|\+|inkl\.?|incl\.?|davon|dont)\s*"
        r"(?:\d{1,2}(?:[.,]\d{1,2})?\s*%\s*)?(?:mwst|ust|umsatzsteuer|mehrwertsteuer|vat|tax|"
        r"tva|btw|iva)\.?",
        0.9,
    ),
    (r"(?:total\s+)?(?:vat|tax|gst|sales\s+tax)(?:\s+(?:amount|total))?", 0.9),
    (r"value\s+added\s+tax", 0.9),
    (
        r"(?:summe\s+|gesamt\s*)?(?:mwst|ust|umsatzsteuer|mehrwertsteuer|steuer)\s*-?\s*(?:betrag)?",
        0.9,
    ),
    (r"steuerbetrag(?:\s+in\s+\w+)?", 1.0),
    (r"(?:total\s+|montant\s+)?t\.?v\.?a\.?", 0.9),
    (r"(?:totaal\s+)?btw(?:\s+bedrag)?", 0.9),
    (r"(?:totale\s+)?(?:iva|imposta)|cuota\s+(?:de\s+)?iva|impuestos?", 0.9),
)

PREPAID = _labels(
    "prepaid",
    (r"(?:already\s+)?paid|prepaid|prepayment|deposit|erhaltene\s+anzahlung\w*|anzahlung\w*", 1.0),
    (r"acompte\w*|deja\s+(?:paye|regle)|vooruitbetaald|acconto|anticipo", 1.0),
)

SELLER = _labels(
    "seller",
    (r"seller|supplier|vendor|from|issued\s+by|bill\s+from|invoice\s+from|sold\s+by", 1.0),
    (
        r"verkaeufer|verkaufer|lieferant|rechnungssteller|leistungserbringer|absender|auftragnehmer",
        1.0,
    ),
    (r"vendeur|fournisseur|emetteur|prestataire", 1.0),
    (r"verkoper|leverancier|afzender", 1.0),
    (r"venditore|fornitore|cedente(?:\s*/\s*prestatore)?|prestatore", 1.0),
    (r"vendedor|proveedor|emisor", 1.0),
)

BUYER = _labels(
    "buyer",
    (
        r"bill(?:ed)?\s+to|invoice\s+to|sold\s+to|ship(?:ped)?\s+to|deliver(?:ed|y)?\s+to|buyer|customer|client|recipient|purchaser",
        1.0,
    ),
    (
        r"kaeufer\w*|kaufer\w*|kunde|rechnungs\s*-?\s*empfaenger|rechnungsempfanger|leistungsempfaenger|empfaenger|empfanger|lieferanschrift|rechnungsanschrift|auftraggeber",
        1.0,
    ),
    (
        r"acheteur|client|facture\s+a|adresse\s+de\s+(?:facturation|livraison)|destinataire|livre\s+a",
        1.0,
    ),
    (r"klant|afnemer|koper|factuuradres|geleverd\s+aan", 1.0),
    (r"cliente|committente|cessionario|destinatario|acquirente|spett\.?\w*", 1.0),
    (r"comprador|facturar\s+a|enviar\s+a", 1.0),
    # Delivery and billing address blocks are the buyer's side of the page.
    (
        r"(?:billing|shipping|delivery|invoice)\s+address|afleveradres|leveringsadres|"
        r"lieferadresse|indirizzo\s+di\s+(?:consegna|fatturazione|spedizione)|"
        r"direccion\s+de\s+(?:entrega|envio|facturacion)",
        1.0,
    ),
)

ALL_FIELD_LABELS: list[Label] = [
    *INVOICE_NUMBER,
    *ISSUE_DATE,
    *DUE_DATE,
    *OTHER_DATE,
    *OTHER_NUMBER,
    *GROSS,
    *NET,
    *TAX,
    *PREPAID,
]

LEGAL_FORM = re.compile(
    r"(?<![\w])(?:gmbh(?:\s*&\s*co\.?\s*kg)?|ag|kg|ohg|ug|e\.\s?k\.|mbh|kgaa|se|"
    r"sarl|s\.a\.r\.l\.|sas|sasu|eurl|sa|s\.a\.|sci|snc|"
    r"ltd\.?|limited|llc|l\.l\.c\.|inc\.?|incorporated|corp\.?|corporation|plc|llp|lp|co\.|company|"
    r"b\.?v\.?|n\.?v\.?|v\.o\.f\.|vof|"
    r"s\.?p\.?a\.?|s\.?r\.?l\.?|s\.?n\.?c\.?|s\.?a\.?s\.?|"
    r"s\.?l\.?|s\.?l\.?u\.?|s\.?c\.?|"
    r"oy|ab|a/s|aps|as|asa|sp\.\s?z\s?o\.o\.|kft|s\.r\.o\.|a\.s\.)(?![\w])",
    re.I,
)

TITLE_WORDS = re.compile(
    r"^(?:(?:tax|vat|commercial|proforma|pro-forma)\s+)?(?:invoice|rechnung|facture|factuur|fattura|"
    r"factura|credit\s+note|gutschrift|avoir|creditnota|nota\s+di\s+credito|"
    r"handelsrechnung|schlussrechnung|abschlagsrechnung|teilrechnung|receipt|quittung|bill)\b",
    re.I,
)


# Words after a total's label that make it a different amount than the label alone says.
_OTHER_TOTAL = (
    r"charges?|allowances?|discounts?|rabatt\w*|zuschlag\w*|abschlag\w*|remises?|paid|prepaid|"
    r"rounding|vat|tax|ust|mwst|tva|btw|iva|quantity|qty|menge|weight|gewicht"
)
_CONTRADICTS: dict[str, re.Pattern[str]] = {
    "gross": re.compile(
        r"^(?:[a-z]+\s+){0,3}?(?:net|netto|excl\.?|excluding|ex|hors|ht|without|before|ohne|"
        rf"exkl\.?|zonder|senza|sin)\b|^(?:{_OTHER_TOTAL})\b"
    ),
    "net": re.compile(
        r"^(?:[a-z]+\s+){0,3}?(?:gross|brutto|incl\.?|including|inkl\.?|ttc|with\s+vat)\b"
    ),
}


def match_label(text: str, labels: list[Label]) -> tuple[Label, str] | None:
    """The strongest label a segment starts with, and the rest of the segment after it."""
    folded = fold(text)
    best: tuple[Label, str, int] | None = None
    for label in labels:
        m = label.pattern.match(folded)
        if m is None:
            continue
        contradicted = _CONTRADICTS.get(label.role)
        if contradicted is not None and contradicted.match(folded[m.end() :].lstrip(" :")):
            continue  # "Total invoice line net amount", "Total charges": another amount
        # Prefer the higher weight, then the longer match ("invoice date" over "date").
        key = (label.weight, m.end())
        if best is None or key > (best[0].weight, best[2]):
            best = (label, _rest(text, folded, m.end()), m.end())
    return (best[0], best[1]) if best else None


def _rest(original: str, folded: str, folded_end: int) -> str:
    """The original text after a label matched in the folded text. Folding keeps the
    words in order, so the rest is found by counting words and characters."""
    consumed = folded[:folded_end]
    # Walk the original until its folded prefix covers what the label consumed.
    for i in range(len(original) + 1):
        if len(fold(original[:i])) >= len(consumed.rstrip()):
            rest = original[i:]
            return rest.lstrip(" :#.-\u2013\t")
    return ""
