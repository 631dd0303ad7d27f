"""Tier names as customers write them: typos, other languages, compounds, adjectives.

`canonical_tiers` rewrites every word that names a tier to the tier's own name, so the
intent readers match three words only:

* typos within a small edit distance (transpositions count as one edit): "premum",
  "standrad", "basci". Two edits for the long names, one for "basic" (a five-letter word
  has too many real neighbours), the first letter must agree, and real words that happen
  to be that close ("premier", "basis", "Standort") are never read as a tier;
* the names in the six request languages ("basique", "básico", "estándar",
  "standaard") and in compounds with a plan noun ("Premiumtarif", "Basis-Paket");
* a tier name used as an adjective of something else ("premium support", "the premium
  features", "soporte premium") names a feature, not a tier: it is rewritten to
  ``<tier>_adj``, which no reader takes for a tier.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from schemas.proposal.events import TIERS
from vouchflow.proposal.request_text import words

# Words that mean a plan (a tier followed or preceded by one is a tier), in the six
# request languages, folded.
PLAN_NOUNS = words(
    "plan plans tier tiers package subscription level version edition option account"
    " membership tarif tarife paket abo abonnement stufe variante formule forfait offre"
    " pakket piano pacchetto abbonamento livello paquete suscripcion nivel plano"
)
# A tier beside one of these names a feature or a service, not the plan.
FEATURE_NOUNS = words(
    "support supports feature features functionality functionalities function functions"
    " service services pricing price prices rate rates billing delivery shipping quality"
    " content sla hours access integration integrations addon addons add module modules"
    " seat seats license licenses licence licences benefits perks reports reporting"
    " analytics storage api limits limit trial discount questions question manager"
    " funktionen funktion leistungen kundendienst kundenservice preis preise qualitat"
    " zugang fonctionnalites fonctions assistance prix qualite functies ondersteuning"
    " klantenservice prijs prijzen funzioni funzionalita assistenza supporto prezzo prezzi"
    " servizio funciones funcionalidades soporte asistencia precio precios servicio"
)
# Other languages' names of the tiers (folded).
_NAMES: dict[str, str] = {
    "basique": "basic",
    "basico": "basic",
    "basica": "basic",
    "estandar": "standard",
    "standaard": "standard",
    "standart": "standard",
}
# "Basis" is German and Dutch for basic, and English for a foundation: a tier only
# beside a plan noun ("Basis-Tarif", "het basis pakket").
_PLAN_ONLY: dict[str, str] = {"basis": "basic", "base": "basic"}
# Real words within the typo distance of a tier name: never a tier.
_REAL_WORDS = words(
    "basis basin basil basics bases based basie premier premiere premieres premiers premise"
    " premises premio premie premiata prelim stanford standort standing stannard"
)
_MAX_EDITS = {"basic": 1, "standard": 2, "premium": 2}
_WORD = re.compile(r"[a-z]+")


def _compound(word: str) -> str | None:
    """ "premiumtarif" -> premium, "basispaket" -> basic (a tier glued to a plan noun)."""
    for name, tier in (*((t, t) for t in TIERS), *_NAMES.items(), *_PLAN_ONLY.items()):
        if word.startswith(name) and word[len(name) :] in PLAN_NOUNS:
            return tier
    return None


def tier_of_word(word: str) -> str | None:
    """The tier a single folded word names on its own, if any."""
    if word in TIERS:
        return word
    if word in _NAMES:
        return _NAMES[word]
    if (found := _compound(word)) is not None:
        return found
    if len(word) < 4 or word in _REAL_WORDS:
        return None
    for tier in TIERS:
        if word[0] == tier[0] and OSA.distance(word, tier) <= _MAX_EDITS[tier]:
            return tier
    return None


def _neighbour(text: str, start: int, end: int) -> tuple[str, str]:
    """The words right before and after text[start:end] (a hyphen joins like a space)."""
    before = _WORD.findall(text[max(0, start - 40) : start])
    after = _WORD.findall(text[end : end + 40])
    return (before[-1] if before else "", after[0] if after else "")


def canonical_tiers(text: str) -> tuple[str, list[str]]:
    """(`text` with tier words rewritten, notes on the words read tolerantly). `text` is
    folded (see request_text.fold)."""
    out: list[str] = []
    notes: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        word = m.group(0)
        before, after = _neighbour(text, m.start(), m.end())
        tier = tier_of_word(word)
        if tier is None and word in _PLAN_ONLY and (after in PLAN_NOUNS or before in PLAN_NOUNS):
            tier = _PLAN_ONLY[word]
        if tier is None:
            continue
        if after in FEATURE_NOUNS or (before in FEATURE_NOUNS and after not in PLAN_NOUNS):
            replacement = f"{tier}_adj"
        else:
            replacement = tier
            if word != tier:
                notes.append(f"read {word!r} as {tier}")
        out.append(text[last : m.start()] + replacement)
        last = m.end()
    out.append(text[last:])
    return "".join(out), notes
