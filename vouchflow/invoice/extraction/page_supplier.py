"""The supplier is the issuer, not the buyer.

Signals, each from where words sit on the page: a block headed "Seller" / "Verkäufer" /
"Fournisseur" (its "Name" line, or its first line); a company name (a legal form:
GmbH, SARL, Ltd, B.V., S.p.A., ...) in the letterhead, in the sender line above the
address window, in the footer, or in the block that carries a VAT id or an IBAN; the
largest type at the top of the first page. Names inside a block headed "Bill to" /
"Rechnungsempfänger" / "Client" / "Käufer", or in the address window under the sender
line, are the buyer's and are ruled out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from vouchflow.documents.layout import Line, Segment
from vouchflow.invoice.extraction.page_labels import (
    ALL_FIELD_LABELS,
    BUYER,
    LEGAL_FORM,
    SELLER,
    TITLE_WORDS,
    fold,
    match_label,
)
from vouchflow.invoice.extraction.page_reader import (
    Box,
    LabelHit,
    PageContext,
    awaits_value,
    value_spots,
    wrapped_value_right,
)

_SEPARATORS = re.compile(r"\s+[·•|\u2013]\s+|\s*[·•|]\s*|\s+-\s+|,\s+(?=\d)|\s{3,}")
_NAME_LABEL = re.compile(
    r"^(?:(?:company|business|trading|legal)\s+name|name|firma|firmenname|unternehmen|"
    r"raison\s+sociale|nom|denomination|bedrijfsnaam|naam|ragione\s+sociale|denominazione|"
    r"razon\s+social|nombre)\s*:?\s*",
    re.I,
)
_BANK_OR_TAX = re.compile(
    r"\b(?:iban|bic|swift|vat|ust|mwst|tva|btw|iva|steuer|siret|siren|rcs|hrb|hra|"
    r"registered|registre|handelsregister|amtsgericht|geschaeftsfuehrer|geschaftsfuhrer|"
    r"director|gerant|kvk|company\s+no|reg\.?\s*no)\b",
    re.I,
)
_ADDRESSISH = re.compile(
    r"\d{4,5}\s+\w|[a-z]{2,}-?str(?:asse|\.)|\bstrasse\b|\bstreet\b|\brue\b|\bavenue\b|\broad\b|\bsuite\b|"
    r"\bbuilding\b|\bfloor\b|\bpostfach\b|\bp\.?o\.? box\b|\bbp \d|\bweg\b|\bplatz\b|\bstraat\b|"
    r"\bvia\b|\bcalle\b|\bboulevard\b|\bbd\b|\ballee\b|\bchemin\b|\blane\b|\bdrive\b|\bgasse\b"
)
_REPRESENTATIVE = re.compile(r"\b(?:tax\s+rep\w*|representa\w*|vertreter\w*|fiscal)\b")
_HEADING_WORDS = re.compile(
    r"^(?:compte|account|bank\w*|banque|contact|kontakt|adresse|address|livraison|delivery|"
    r"representant\w*|representative|notes?|remarques?|bemerkung\w*|informations?|conditions?|"
    r"payment|paiement|zahlung\w*|references?|identifiants?|details?|summary|total|internet|"
    r"coordonnees|lieferung|versand|shipping|billing|facturation|rechnung\w*|kunde\w*|client)\b"
    r"|\b(?:details|informationen|information|daten|angaben|adresse|address)$"
)
_NOT_A_NAME = re.compile(
    r"@|https?://|www\.|^\W*$|^\d+(?:[\s.,/:-]|$)|\b(?:tel|phone|fax|e-?mail|page|seite|capital|"
    r"kapital|rcs|siret|siren|iban|bic|ust|vat|tva|hrb|amtsgericht)\b|[:=]",
    re.I,
)

_HEADING_REST = re.compile(
    r"^(?:trade\s+|company\s+|legal\s+)?(?:name|details|information|info|address|data|daten|"
    r"angaben|informations?|coordonnees|identification|gegevens|dati|datos)?\s*:?$"
)

SELLER_LABELLED = 0.9
STRONG = 0.8
LIKELY = 0.6
WEAK = 0.4


@dataclass
class NameCandidate:
    name: str
    box: Box
    line: int
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class SupplierReading:
    name: str | None
    certainty: float
    evidence: str | None
    buyer_names: list[str]


def clean_name(text: str) -> str:
    text = _NAME_LABEL.sub("", text.strip())
    return text.strip(" ,;:*·•|-\u2013").strip()


# Words that make a run of text a sentence ("The issuer encapsulated their data in the
# image below"), never a company name, when several of them stand in it.
_SENTENCE_TEXT = (
    "the their this that these is are was were in on at to for with below above your our "
    "we you please will be has have can may der die das ist sind wir sie ihr ihre unten "
    "oben est sont nous vous votre notre ci-dessous il elle"
)
_SENTENCE_WORDS = frozenset(_SENTENCE_TEXT.split())


def _sentence(name: str) -> bool:
    words = fold(name).split()
    return len(words) >= 5 and sum(w in _SENTENCE_WORDS for w in words) >= 3


def _plausible(name: str) -> bool:
    letters = sum(ch.isalpha() for ch in name)
    return (
        2 <= len(name) <= 90
        and letters >= 2
        and not _NOT_A_NAME.search(name)
        and not _sentence(name)
    )


def plausible_name(name: str) -> bool:
    """A company name, not an address line, a run of cells ("Acme · 1 Street · Town") or
    a bare country or unit code ("FR", "DE")."""
    pieces = [p for p in _SEPARATORS.split(name) if p and p.strip()]
    return (
        _plausible(name)
        and len(name.strip()) > 2
        and len(pieces) <= 2
        and not re.search(r"\d{3}", name)
    )


def _legal_pieces(segment: Segment) -> list[str]:
    """Company names with a legal form in a segment; a sender line
    ("Acme GmbH · Street 1 · 12345 Town") gives its first piece."""
    pieces = [p for p in _SEPARATORS.split(segment.text) if p and p.strip()]
    out = []
    for piece in pieces:
        piece = clean_name(piece)
        if (
            LEGAL_FORM.search(piece)
            and _plausible(piece)
            and not _ADDRESSISH.search(piece)
            and match_label(piece, ALL_FIELD_LABELS + BUYER + SELLER) is None
        ):
            out.append(piece)
    return out


def _block(
    ctx: PageContext, line: Line, seg: Segment, depth: int, gap: float = 2.2
) -> list[tuple[Line, Segment]]:
    """The segments under a heading in its column, until a gap or another heading."""
    out: list[tuple[Line, Segment]] = []
    last_bottom = seg.bottom
    height = max(seg.bottom - seg.top, 6.0)
    for nxt in ctx.lines[line.index + 1 : line.index + 1 + depth]:
        if nxt.page != line.page or nxt.top - last_bottom > gap * height:
            break
        for s in nxt.segments:
            if seg.x0 - 30 <= s.x0 <= seg.x0 + max(seg.x1 - seg.x0, 120) + 10:
                out.append((nxt, s))
                break
        last_bottom = nxt.bottom
    return out


def _value_of_a_label(hit: LabelHit) -> bool:
    """The party word stands in the value cell right of another label ("Name: | Klant")."""
    return hit.index > 0 and awaits_value(hit.line.segments[hit.index - 1].text)


def _buyer_names(ctx: PageContext) -> set[str]:
    names: set[str] = set()
    for hit in ctx.hits_for("buyer"):
        said = hit.segment.text[: len(hit.segment.text) - len(hit.rest)]
        if hit.rest and ":" not in said:
            continue  # "Buyer Company": a name that starts with the word, not a heading
        if _value_of_a_label(hit):
            continue  # "Name: | Klant": the buyer's name is the word, the value of a label
        spots = value_spots(ctx, hit)
        for text, _, _, _ in spots[:2]:
            if match_label(text, _ALL) is not None or _NAME_LABEL.match(text):
                break  # the next label's column (often the seller's): not the buyer's value
            names.add(fold(clean_name(text)))
        for line, s in _block(ctx, hit.line, hit.segment, 8, gap=5.0):
            names.add(fold(clean_name(s.text)))
            if _NAME_LABEL.match(s.text) and not clean_name(s.text):
                idx = line.segments.index(s)
                wrapped = wrapped_value_right(ctx, LabelHit(hit.label, s, line, idx, ""))
                if wrapped is not None:
                    names.add(fold(clean_name(wrapped[0])))
    return {n for n in names if len(n) >= 3 and _plausible(n) and not re.search(r"\d{3}", n)}


def is_buyer(name: str, buyers: set[str]) -> bool:
    key = fold(name)

    def same(a: str, b: str) -> bool:
        return a == b or (len(b) >= 6 and b in a and len(b) >= 0.5 * len(a))

    return any(same(key, b) or same(b, key) for b in buyers)


def _seller_labelled(ctx: PageContext) -> list[NameCandidate]:
    out: list[NameCandidate] = []
    inside: set[int] = set()  # segments already under an earlier seller heading
    for hit in ctx.hits_for("seller"):
        if _REPRESENTATIVE.search(fold(hit.segment.text)):
            continue  # a tax representative acts for the seller but is not the seller
        if _value_of_a_label(hit):
            continue  # "Address line 2: | Seller line 2": a value that starts with the word
        if hit.segment.text[:1].islower() or id(hit.segment) in inside:
            # "from date of invoice": running text; "LE / FOURNISSEUR" wrapped in the
            # seller block: a word of a value, not a heading of its own.
            continue
        block = _block(ctx, hit.line, hit.segment, 8, gap=5.0)
        inside.update(id(s) for _, s in block)
        choices: list[tuple[str, Segment]] = []
        rest = clean_name(hit.rest)
        if (rest and LEGAL_FORM.fullmatch(rest.strip(" .&"))) or re.fullmatch(
            r"(?:gmbh|ag|sarl|sas|ltd|inc)\b.*", fold(rest)
        ):
            rest = clean_name(hit.segment.text)  # "Lieferant GmbH": the label word is the name
        if rest and not _HEADING_REST.match(fold(hit.rest)):
            choices.append((rest, hit.segment))  # "Seller: Acme GmbH"
        for line, s in block:
            if _NAME_LABEL.match(s.text):
                if clean_name(s.text):
                    choices.append((clean_name(s.text), s))
                else:  # "Name:" with its value in the next column
                    row = line.segments
                    idx = row.index(s)
                    beside = idx + 1 < len(row)
                    wrapped = wrapped_value_right(
                        ctx, LabelHit(hit.label, s, line, idx, ""), own_line=beside
                    )
                    if wrapped is not None:
                        choices.append((clean_name(wrapped[0]), s))
                    elif beside:
                        choices.append((clean_name(row[idx + 1].text), row[idx + 1]))
        for _, s in block[:1]:
            choices.append((clean_name(s.text), s))
        if not block and not rest:
            row = hit.line.segments[hit.index + 1 : hit.index + 2]
            choices += [(clean_name(s.text), s) for s in row]
        for name, s in choices:
            if awaits_value(s.text) and clean_name(s.text) == name:
                continue  # "To:" under "From:": a label waiting for its value, not a name
            if plausible_name(name) and match_label(name, ALL_FIELD_LABELS + BUYER) is None:
                out.append(
                    NameCandidate(name, Box.of(s), hit.line.index, 1.2, ["under a seller heading"])
                )
                break
    return out


_ALL = ALL_FIELD_LABELS + BUYER + SELLER
_DOMAIN = re.compile(r"(?:www\.|@|https?://(?:www\.)?)([a-z0-9\-]+)\.[a-z]{2,}", re.I)
_GENERIC_DOMAINS = {
    "gmail",
    "yahoo",
    "hotmail",
    "outlook",
    "gmx",
    "web",
    "orange",
    "free",
    "example",
}


def _domains(ctx: PageContext) -> set[str]:
    found = set()
    for line in ctx.lines:
        for m in _DOMAIN.finditer(line.text):
            root = m.group(1).casefold().replace("-", "")
            if len(root) >= 3 and root not in _GENERIC_DOMAINS:
                found.add(root)
    return found


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(LEGAL_FORM.sub(" ", name)))


def _address_below(ctx: PageContext, line: Line, seg: Segment) -> bool:
    return any(_ADDRESSISH.search(fold(s.text)) for _, s in _block(ctx, line, seg, 3))


def _sender_line(seg: Segment) -> str | None:
    """ "Acme GmbH · Street 1 · 12345 Town": a one-line return address."""
    pieces = [p for p in _SEPARATORS.split(seg.text) if p and p.strip()]
    if len(pieces) >= 3 and any(_ADDRESSISH.search(fold(p)) for p in pieces[1:]):
        name = clean_name(pieces[0])
        if (
            _plausible(name)
            and not re.search(r"\d{3}", name)
            and not _ADDRESSISH.search(fold(name))
        ):
            return name
    return None


def _window_recipients(ctx: PageContext) -> set[str]:
    """The address window under a sender line belongs to the buyer."""
    names: set[str] = set()
    for line in ctx.lines:
        for seg in line.segments:
            if _sender_line(seg) and line.page == 0:
                # The return address is small type: the window is several of its lines below.
                for _, s in _block(ctx, line, seg, 2, gap=8.0)[:1]:
                    names.add(fold(clean_name(s.text)))
    return names


def read_supplier(ctx: PageContext) -> SupplierReading:
    buyers = _buyer_names(ctx) | _window_recipients(ctx)
    first_page = [ln for ln in ctx.lines if ln.page == 0]
    page = ctx.layout.pages[0] if ctx.layout.pages else None
    height = page.height if page else 842.0
    sizes = [w.size for ln in first_page for w in ln.words]
    body = median(sizes) if sizes else 10.0
    bank_lines = {ln.index for ln in ctx.lines if _BANK_OR_TAX.search(fold(ln.text))}
    domains = _domains(ctx)
    page_text = _squash(" ".join(ln.text for ln in ctx.lines))

    candidates: list[NameCandidate] = _seller_labelled(ctx)
    for line in ctx.lines:
        for seg in line.segments:
            found: list[tuple[str, float, str]] = []
            sender = _sender_line(seg)
            if sender:
                found.append((sender, 0.75, "sender line"))
            for name in _legal_pieces(seg):
                if name != sender:
                    found.append((name, 0.5, "company name"))
            name = clean_name(re.sub(r"^logo\s+", "", seg.text, flags=re.I))
            if (
                not found
                and _plausible(name)
                and not re.search(r"\d{3}", name)
                and match_label(name, _ALL) is None
                and not TITLE_WORDS.match(fold(name))
                and not _HEADING_WORDS.search(fold(name))
                and not _ADDRESSISH.search(fold(name))
                and _address_below(ctx, line, seg)
            ):
                found.append((name, 0.4, "heads an address block"))
            for name, base, why in found:
                c = NameCandidate(name, Box.of(seg), line.index, base, [why])
                if line.page == 0 and seg.top < height * 0.3:
                    c.score += 0.15
                    c.reasons.append("letterhead")
                if seg.size >= body * 1.25 or (
                    seg.bold and line.page == 0 and seg.top < height * 0.3
                ):
                    c.score += 0.2
                    c.reasons.append("large or bold type")
                if seg.top > height * 0.8:
                    c.score += 0.1
                    c.reasons.append("footer")
                if any(0 < i - line.index <= 8 for i in bank_lines) or any(
                    abs(i - line.index) <= 1 for i in bank_lines
                ):
                    c.score += 0.2
                    c.reasons.append("beside VAT id / bank details")
                squashed = _squash(name)
                if squashed and any(
                    d in squashed
                    or (len(squashed) >= 4 and squashed in d)
                    or any(len(w) >= 4 and w in d for w in fold(name).split())
                    for d in domains
                ):
                    c.score += 0.3
                    c.reasons.append("matches the e-mail / web domain")
                if LEGAL_FORM.search(name) and why != "company name":
                    c.score += 0.15
                    c.reasons.append("legal form")
                candidates.append(c)
    # Letterhead: the largest type at the top of page one.
    top = [
        (ln, s)
        for ln in first_page
        for s in ln.segments
        if s.top < height * 0.22 and s.size >= body * 1.3
    ]
    for ln, s in sorted(top, key=lambda p: -p[1].size)[:2]:
        name = clean_name(re.sub(r"^logo\s+", "", s.text, flags=re.I))
        if (
            _plausible(name)
            and not TITLE_WORDS.match(fold(name))
            and match_label(name, _ALL) is None
            and not re.search(r"\d{3}", name)
        ):
            candidates.append(NameCandidate(name, Box.of(s), ln.index, 0.55, ["letterhead"]))

    viable = []
    for c in candidates:
        if is_buyer(c.name, buyers):
            continue
        squashed = _squash(c.name)
        repeats = page_text.count(squashed) if len(squashed) >= 4 else 1
        if repeats > 1:
            c.score += min(0.1 * (repeats - 1), 0.3)
            c.reasons.append(f"printed {repeats} times")
        viable.append(c)
    if not viable:
        return SupplierReading(None, 0.0, None, sorted(buyers))
    merged: dict[str, NameCandidate] = {}
    for c in viable:
        key = _squash(c.name) or fold(c.name)
        prev = merged.get(key)
        if prev is None or c.score > prev.score:
            if prev is not None:
                c.reasons = list(dict.fromkeys(prev.reasons + c.reasons))
                c.score = max(c.score, prev.score) + 0.05
            merged[key] = c
    ranked = sorted(merged.values(), key=lambda c: (-c.score, c.line))
    chosen = ranked[0]
    margin = chosen.score - (ranked[1].score if len(ranked) > 1 else 0.0)
    if "under a seller heading" in chosen.reasons:
        certainty = SELLER_LABELLED
    elif chosen.score >= 1.1:
        certainty = STRONG
    elif chosen.score >= 0.8:
        certainty = LIKELY
    else:
        certainty = WEAK
    labelled_rival = any("under a seller heading" in c.reasons for c in ranked[1:])
    if margin < 0.15 and ("under a seller heading" not in chosen.reasons or labelled_rival):
        certainty = min(certainty, WEAK)
    evidence = (
        f"{chosen.name} ({', '.join(dict.fromkeys(chosen.reasons))}; {chosen.box.describe()})"
    )
    return SupplierReading(chosen.name, certainty, evidence, sorted(buyers))
