"""What a request asks for: the tier to move to, the tier it says it is on, or why it
asks for no change at all.

Reads text that is folded, free of text addressed to the system and with tier names
made canonical (`request_text.fold`, `request_instructions.without_instructions`,
`request_tiers.canonical_tiers`), sentence by sentence, in EN/DE/FR/NL/IT/ES.

* The target is the tier the customer moves TO ("to premium", "auf Premium", "naar
  premium", "from basic to standard"), or asks for ("we want premium", "premium pls"),
  never merely the first tier named ("we no longer need the premium features, change to
  standard" moves to standard).
* A request counts only where it is made: not negated ("please don't upgrade us"), not
  hypothetical or still being weighed ("thinking about moving to premium", "if we
  switched"), not a bare question ("is premium worth it?"; "could you move us?" is a
  polite request), and not a request for a quote or a price first.
* The latest word wins: "Move us to premium. Actually no, keep us on standard" asks for
  no change; "... Actually no, make it standard" moves to standard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vouchflow.proposal.request_dates import without_dates
from vouchflow.proposal.request_text import Sentence, sentences, words
from vouchflow.proposal.request_tiers import PLAN_NOUNS

_TIER = r"(?P<tier>basic|standard|premium)\b"
_ART = (
    r"(?:(?:the|a|an|our|my|this|that|new|der|die|das|den|dem|ein|eine|einen|unser|unseren"
    r"|unsere|unserem|neue|neuen|le|la|les|l'|un|une|notre|nos|nouveau|nouvelle|het|de|een"
    r"|ons|onze|nieuwe|il|lo|gli|una|uno|nostro|nostra|nuovo|el|los|las|nuestro|nuestra"
    r"|nuevo)\s*)"
)
_PLAN = r"(?:(?:" + "|".join(sorted(PLAN_NOUNS, key=len, reverse=True)) + r")\s+)"
_MENTION = rf"(?:{_ART}){{0,2}}{_PLAN}?{_TIER}"
_TO = (
    r"(?:to|into|auf|zu|zum|zur|ins|in den|in das|nach|naar|op|a|au|aux|vers|en|al|alla"
    r"|allo|ad|para|hacia)"
)
# "de", "da" and "del" are "from" only before a "to" (Dutch "de" is "the").
_FROM_PAIR = r"(?:from|von|vom|de|du|van|da|dal|dallo|dalla|desde|del)"
_FROM = r"(?:from|von|vom|du|van|dal|dallo|dalla|desde)"
_CHANGE_WORDS = (
    r"(?:move[sd]?|moving|upgrade[sd]?|upgrading|downgrade[sd]?|downgrading|switch(?:es|ed"
    r"|ing)?|change[sd]?|changing|go|goes|going|bump(?:ed|ing)?|drop(?:ped|ping)?"
    r"|migrate[sd]?|migrating|put|transfer(?:red|ring)?|convert|shift|step|take|get|set"
    r"|umstell\w*|umgestellt|stell(?:en|t|e|ten)|wechsel\w*|gewechselt|umsteig\w*"
    r"|upgrad\w*|downgrad\w*|andern|andert|geandert|hochstuf\w*|herabstuf\w*|migrier\w*"
    r"|buch(?:en|e|t)|pass(?:er|ez|ons|e|are|ate|a|iamo|iate)(?:ci|mi|ce|ne|nos)?"
    r"|chang(?:er|ez|eons)"
    r"|bascul\w*|mett(?:re|ez|ons|ete|ere)|retrograd\w*|surclass\w*|overstap\w*"
    r"|overzet\w*|overschakel\w*|wijzig\w*|verander\w*|zet|zetten|omzet\w*|ga|gaan"
    r"|cambi(?:o|a|ar|en|e|are|ate|amo|iamo|ato|ad)(?:ci|mi|nos|me)?|spost\w*|aggiorn\w*"
    r"|port(?:are|ate|a|iamo)(?:ci|mi)?|declass\w*|mover|muevan|mueva|actualiz\w*"
    r"|pas(?:ar|en|e|amos)(?:nos|me)?|sub(?:ir|an|a|amos)|baj(?:ar|en|e|emos))"
)
_CHANGE = re.compile(rf"\b{_CHANGE_WORDS}\b")
_WANT = (
    r"(?:want|wants|wanted|would like|'d like|wd like|need|needs|prefer|request|requesting"
    r"|order|choose|opt for|go for|mochten|mochte|wollen|will|wurden gerne?|hatten gerne?"
    r"|brauchen|benotigen|voudrions|voudrais|voulons|veux|souhaitons|souhaiterions"
    r"|souhaite|aimerions|aimerais|willen|wil|zouden graag|vorremmo|vorrei|vogliamo"
    r"|desideriamo|queremos|quisieramos|quiero|querriamos|necesitamos|nos gustaria"
    r"|preferimos|prefeririamos)"
)
_FILLER = (
    r"(?:to|have|gern|gerne|graag|bitte|please|really|now|jetzt|nu|ahora|ora|adesso"
    r"|maintenant|avoir|hebben|avere|tener|also|auch|aussi|ook|anche|tambien|instead"
    r"|stattdessen|plutot|liever|invece|mejor|het)"
)
_TARGETS = [
    # "from basic to premium" names the change without a verb.
    re.compile(
        rf"\b{_FROM_PAIR}\s+(?:{_ART}){{0,2}}{_PLAN}?(?P<current>basic|standard|premium)\s+"
        rf"(?:{_PLAN})?{_TO}\s+{_MENTION}"
    ),
    re.compile(rf"\b{_WANT}\s+(?:{_FILLER}\s+){{0,3}}(?:{_TO}\s+)?{_MENTION}"),
    re.compile(
        rf"\b(?:make|mach|machen|fais|faites|maak|fai|fate|haz|hagan)\s+(?:it|that|this|es"
        rf"|das|le|het|lo|la)\s+{_MENTION}"
    ),
    re.compile(rf"\b(?:put|get|sign|zet)\b[^,]{{0,25}}?\b(?:on|onto|up for|op)\s+{_MENTION}"),
    # "go premium", "we'll go with standard".
    re.compile(rf"\b(?:go|going)\s+(?:for\s+|with\s+)?{_MENTION}"),
    # A correction names the tier meant: "sorry, I meant standard".
    re.compile(
        rf"\b(?:i meant|we meant|ich meinte|wir meinten|je voulais dire|nous voulions dire"
        rf"|ik bedoelde|we bedoelden|intendevo|intendevamo|quise decir|queria decir)\s+"
        rf"{_MENTION}"
    ),
]
# "to premium" is the target only where the sentence changes something.
_TO_TARGET = re.compile(rf"\b{_TO}\s+{_MENTION}")
_STAYS = [
    re.compile(
        rf"\b(?:keep|keeping|stay|staying|remain|remaining|stick|sticking|continue|leave)\b"
        rf"[^,]{{0,20}}?\b(?:on|with|at|in)\s+{_MENTION}"
    ),
    re.compile(
        rf"\b(?:bleiben|bleibe|bleibt|rester|restons|restez|garder|gardez|gardons|conserver"
        rf"|blijven|blijft|houden|houd|restare|rimanere|restiamo|rimaniamo|mantenere|tenere"
        rf"|teneteci|quedarnos|quedar|quedamos|permanecer|seguir|seguimos|mantener|mantengan"
        rf")\b[^,]{{0,20}}?\b(?:bei|beim|auf|im|sur|au|en|avec|op|bij|su|sul|sullo|al|con"
        rf"|nel|in|el)\s+{_MENTION}"
    ),
    re.compile(rf"\b(?:bei|beim|auf|im|op|bij)\s+{_MENTION}\b[^,]{{0,20}}?\b(?:bleiben|blijven)\b"),
    # No tier named: "keep everything as it is", "keine Änderung".
    re.compile(
        r"\b(?:(?:keep|leave)\s+(?:us|it|things|everything|our (?:plan|account)|me)\s+"
        r"(?:as (?:it is|is|they are)|unchanged|where (?:it is|we are))|no change|keine"
        r" anderung|alles beim alten|aucun changement|pas de changement|geen wijziging"
        r"|nessun cambiamento|ningun cambio|sin cambios)"
    ),
]
_WITHDRAW = re.compile(
    r"\b(?:actually,? no|actually,? (?:don'?t|do not|never ?mind|forget|cancel)|no,? wait"
    r"|wait,? no|never ?mind|nevermind|scratch that|forget (?:it|that|about it|what i said"
    r"|my (?:last|previous|earlier))|ignore (?:my|that|the) (?:last|previous|earlier|above)"
    r" (?:message|email|e-mail|mail|request|note)|cancel (?:that|this|my|our) (?:last "
    r"|previous |earlier )?(?:request|message|email|order)|disregard (?:that|this|my "
    r"(?:last|previous|earlier) (?:message|email|request))|on second thoughts?|changed "
    r"(?:my|our) minds?|doch nicht|vergessen sie (?:das|es|meine)|hat sich erledigt"
    r"|laissez tomber|oubliez (?:ca|cela|ma)|finalement,? non|en fait,? non|laat maar"
    r"|vergeet (?:het|dat|mijn)|toch niet|lascia(?:te)? (?:stare|perdere)|non importa"
    r"|anzi,? no|in realta,? no|olvidalo|olvidenlo|mejor no|pensandolo bien"
    r"|en realidad,? no|decided against|decided not to|decidimos no|haben uns dagegen"
    r" entschieden)\b"
)
_NEGATION = re.compile(
    r"\b(?:don'?t|do not|does not|doesn'?t|did not|didn'?t|not|never|no need to|no longer"
    r"|cannot|can'?t|won'?t|will not|shouldn'?t|should not|must not|mustn'?t|nicht|kein"
    r"|keine|keinen|nie|niemals|pas|jamais|niet|geen|nooit|non|no|nunca|tampoco"
    r"|instead of|rather than|statt|anstatt|au lieu de|plutot que|in plaats van|invece di"
    r"|en lugar de|en vez de|cancel|stop|undo|revert|call off|abort|stornieren|abbrechen"
    r"|annuler|annuleren|annullare|cancelar)\b"
)
# Phrases with a negation word that deny nothing.
_NOT_NEGATION = re.compile(
    r"\b(?:no rush|no hurry|no problem|no worries|no later than|not later than|can'?t wait"
    r"|cannot wait|why not|not only|keine eile|kein problem|nicht spater als|pas de souci"
    r"|pas plus tard|sans faute|geen haast|geen probleem|niet later dan|nessuna fretta"
    r"|non oltre|sin prisa|no mas tarde|no hay prisa)\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:thinking|think about|think of|considering|consider|contemplating|wondering"
    r"|wonder|might|may want|maybe|perhaps|possibly|not sure|unsure|undecided|if|whether"
    r"|in case|would it make sense|should we|what if|(?:were|was) going to|had planned"
    r"|had intended|would have|uberlegen|uberlegt|nachdenken"
    r"|denken daruber nach|vielleicht|eventuell|falls|wenn|ob|reflechi\w*|envisag\w*"
    r"|peut-etre|eventuellement|si|overweg\w*|misschien|eventueel|als we|als wij|of we"
    r"|stiamo valutando|valutando|valutiamo|forse|magari|pensando|pensiamo|considerando"
    r"|quizas|quiza|tal vez|a lo mejor)\b"
)
# Conditions that do not make a request hypothetical.
_NOT_HYPOTHETICAL = re.compile(
    r"\b(?:if possible|if you can|if that'?s ok(?:ay)?|if so|as if|wenn moglich|falls moglich"
    r"|si possible|indien mogelijk|als het kan|se possibile|si es posible)\b"
)
_QUOTE = re.compile(
    r"\b(?:quote|quotation|estimate|how much|what (?:would|will|does|is) (?:it|that|this"
    r"|the \w+) cost|what (?:would|will) (?:we|i) pay|price difference|cost difference"
    r"|pricing (?:for|of)|send (?:us |me )?(?:the |a |your )?(?:price|prices|pricing|offer"
    r"|proposal)|angebot|kostenvoranschlag|was kostet|wie viel|wieviel|devis|combien"
    r"|offerte|prijsopgave|wat kost|hoeveel|preventivo|quanto costa|quanto costerebbe"
    r"|presupuesto|cotizacion|cuanto cuesta|cuanto costaria)\b"
)
_POLITE = re.compile(
    r"\b(?:could you|can you|would you|will you|could we|can we|may we|would it be possible"
    r"|is it possible|kindly|please|pls|plz|konnen sie|konnten sie|kannst du|wurden sie"
    r"|ist es moglich|bitte|pourriez-vous|pourriez vous|pouvez-vous|pouvez vous|peux-tu"
    r"|est-il possible|s'il vous plait|svp|kunt u|kunnen jullie|zou u|kan je|kun je"
    r"|is het mogelijk|graag|alstublieft|potete|potreste|puoi|potresti|e possibile"
    r"|per favore|pueden|podrian|puede|podria|es posible|por favor)\b"
)
# Where a negation or a hesitation stops reaching: a contrast, or a comma before a new
# imperative ("we're not happy with basic, move us to standard").
_BREAK = re.compile(
    r"\b(?:but|however|therefore|then|aber|sondern|jedoch|stattdessen|dann"
    r"|mais|plutot|donc|puis|ensuite|maar|dus|toch|ma|pero|sino|invece|quindi|poi|luego"
    r"|entonces|please|pls|bitte|svp|graag|per favore|por favor)\b"
    rf"|[,:]\s*(?:so\s+|and\s+)?(?={_CHANGE_WORDS}\b)"
    rf"|\b(?:and|so)\s+(?:(?:we|i)\s+)?(?=(?:would|want|need|{_CHANGE_WORDS})\b)"
)
# A negation left hanging before a comma carries over it ("do not, in any case, ...").
_DANGLING = re.compile(r"\b(?:don'?t|do not|not|never|nicht|niet|non|no)\s*,")
# "premium or standard": two tiers offered as alternatives.
_EITHER = re.compile(
    r"\b(?:basic|standard|premium)\b(?:\s+\w+)?\s+(?:or|oder|ou|of|o)\s+"
    rf"(?:{_ART}){{0,2}}{_PLAN}?(?:basic|standard|premium)\b"
)


@dataclass(frozen=True)
class Intent:
    target: str | None
    current: str | None
    # Why there is no target (None when there is one).
    reason: str | None
    sentences: list[Sentence] = field(default_factory=list)
    # The sentence holding the final request, and the first one that belongs to it
    # (after the last change of mind): where its date is looked for.
    target_sentence: int = 0
    episode: int = 0
    # False when the text asks nothing at all (no tier request, stay, or withdrawal).
    asked: bool = True


@dataclass(frozen=True)
class _Event:
    kind: str  # "target" | "stay" | "withdraw"
    sentence: int
    at: int
    tier: str | None = None
    current: str | None = None


def _scope(sentence: str, at: int) -> str:
    """The part of `sentence` before `at` that a negation or hesitation must sit in."""
    before = sentence[:at]
    breaks = [m.end() for m in _BREAK.finditer(before)]
    for end in reversed(breaks):
        if not _DANGLING.search(before[:end]):
            return before[end:]
    return before


def _blocked(sentence: Sentence, at: int) -> str | None:
    """Why the request at `at` in `sentence` is not a request, if it is not."""
    scope = _WITHDRAW.sub(" ", _scope(sentence.text, at))
    if _NEGATION.search(_NOT_NEGATION.sub(" ", scope)):
        return "negated"
    if _HYPOTHETICAL.search(_NOT_HYPOTHETICAL.sub(" ", scope)):
        return "hypothetical"
    if sentence.end_mark == "?" and not _POLITE.search(sentence.text):
        return "a question"
    return None


def _current_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for pattern in _CURRENT:
        for m in pattern.finditer(text):
            spans.append((m.start("tier"), m.end("tier"), m["tier"]))
    return sorted(spans)


def _targets(sentence: Sentence) -> list[_Event]:
    text = sentence.text
    found: dict[int, _Event] = {}
    for pattern in _TARGETS:
        for m in pattern.finditer(text):
            current = m.groupdict().get("current")
            found[m.start("tier")] = _Event("target", 0, m.start("tier"), m["tier"], current)
    if _CHANGE.search(text):
        taken = _current_spans(text)
        for m in _TO_TARGET.finditer(text):
            if any(start <= m.start("tier") < end for start, end, _ in taken):
                continue  # "we're on standard" inside a change sentence is not a target
            found.setdefault(m.start("tier"), _Event("target", 0, m.start("tier"), m["tier"]))
    return [found[at] for at in sorted(found)]


_CURRENT = [
    re.compile(rf"\b{_FROM}\s+{_MENTION}"),
    re.compile(
        rf"\b(?:we are|we're|were|i am|i'm|im|currently|presently|at the moment|right now"
        rf"|still)\s+(?:currently\s+|still\s+|now\s+)?(?:on|using|subscribed to|in|with|at"
        rf"|paying for)\s+{_MENTION}"
    ),
    re.compile(
        rf"\b(?:we are|we're|i am|i'm)\s+(?:currently\s+|still\s+)?(?:an?\s+)?{_TIER}\s+"
        rf"(?:customer|client|member|user|subscriber)s?\b"
    ),
    re.compile(rf"\b(?:our|my)\s+(?:current|existing|present)\s+{_PLAN}?{_TIER}"),
    re.compile(rf"\b(?:our|my)\s+{_TIER}\s+{_PLAN}"),
    re.compile(
        rf"\b(?:we|i)\s+(?:currently\s+)?(?:have|pay for|'ve got|have got|use)\s+{_MENTION}"
    ),
    re.compile(
        rf"\b(?:wir sind|ich bin|sind wir|aktuell|derzeit|momentan|zurzeit|noch|nous sommes"
        rf"|je suis|actuellement|encore|wij zitten|we zitten|ik zit|momenteel|nog|siamo|sono"
        rf"|attualmente|ancora|estamos|estoy|actualmente|todavia|aun)\s+(?:\w+\s+){{0,2}}?"
        rf"(?:im|auf|bei|beim|in|en|au|sur|dans|avec|op|bij|su|sul|sullo|al|nel|con)\s+"
        rf"{_MENTION}"
    ),
    re.compile(
        rf"\b(?:wir haben|haben wir|nous avons|wij hebben|we hebben|abbiamo|tenemos)\s+"
        rf"(?:\w+\s+){{0,2}}?{_MENTION}"
    ),
    re.compile(
        rf"\b(?:unser|unseren|notre|ons|onze|il nostro|nuestro)\s+(?:aktuelle[snm]?\s+"
        rf"|actuel(?:le)?\s+|huidige\s+|attuale\s+|actual\s+)?{_PLAN}?{_TIER}"
    ),
]


def _stays(sentence: Sentence) -> list[_Event]:
    out = []
    for pattern in _STAYS:
        for m in pattern.finditer(sentence.text):
            tier = m.groupdict().get("tier")
            at = m.start("tier") if tier else m.start()
            out.append(_Event("stay", 0, at, tier))
    return out


def _bare_request(all_sentences: list[Sentence]) -> str | None:
    """A request that is hardly more than a tier name ("premium pls", "Premium, ab
    Januar"): that tier, if exactly one is named and nothing denies or asks."""
    words = without_dates(" ".join(s.text for s in all_sentences))
    if any(s.end_mark == "?" for s in all_sentences) or _NEGATION.search(words):
        return None
    tiers = set(re.findall(r"\b(basic|standard|premium)\b", words))
    if len(tiers) != 1 or _HYPOTHETICAL.search(_NOT_HYPOTHETICAL.sub(" ", words)):
        return None
    rest = [w for w in re.findall(r"[a-z']+", words) if w not in _BARE_WORDS]
    return tiers.pop() if len(rest) <= 2 else None


_BARE_WORDS = (
    words(
        "basic standard premium please pls plz thanks thank you thx ty cheers bitte danke merci"
        " svp graag bedankt dank grazie per favore por favor gracias hi hello hey hallo bonjour"
        " salut ciao hola dear team the a an us me our we to for on plan tier tarif upgrade"
        " upgraden downgrade downgraden switch move now asap just only ok okay thank-you vielen"
        " mille muchas"
    )
    | PLAN_NOUNS
)


def read_intent(text: str) -> Intent:
    """The request in `text` (folded, canonical tiers, instructions blanked)."""
    cut = sentences(text)
    events: list[_Event] = []
    dropped: list[str] = []
    quote = bool(_QUOTE.search(text))
    for index, sentence in enumerate(cut):
        found = [
            *(_Event("withdraw", index, m.start()) for m in _WITHDRAW.finditer(sentence.text)),
            *_stays(sentence),
            *_targets(sentence),
        ]
        for event in sorted(found, key=lambda e: e.at):
            if event.kind != "withdraw" and (why := _blocked(sentence, event.at)):
                if event.kind == "target":
                    dropped.append(f"the request for {event.tier} is {why}")
                continue
            events.append(_Event(event.kind, index, event.at, event.tier, event.current))
    final: _Event | None = events[-1] if events else None
    if final is None:
        bare = _bare_request(cut)
        if bare is not None and not quote:
            return Intent(bare, None, None, cut)
        asked = bool(dropped) or quote
        return Intent(None, None, _nothing_asked(dropped, quote), cut, asked=asked)
    if final.kind == "withdraw":
        return Intent(None, None, "the request was withdrawn in the same message", cut)
    if final.kind == "stay":
        stay = f" on {final.tier}" if final.tier else ""
        return Intent(None, None, f"the request asks to stay{stay}: no change", cut)
    if quote:
        return Intent(None, None, "the request asks for a quote or a price first", cut)
    if _EITHER.search(cut[final.sentence].text):
        return Intent(None, None, "the request names more than one tier to move to", cut)
    episode = _episode(events, final)
    current = final.current or _stated_current(cut, final)
    return Intent(final.tier, current, None, cut, final.sentence, episode)


def _episode(events: list[_Event], final: _Event) -> int:
    """The first sentence after the last change of mind before the final request."""
    start = 0
    for event in events:
        if event is final:
            break
        if event.kind in ("withdraw", "stay") or event.tier != final.tier:
            start = event.sentence if event.sentence == final.sentence else event.sentence + 1
    return min(start, final.sentence)


def _stated_current(cut: list[Sentence], final: _Event) -> str | None:
    """The tier the request says the customer is on: in the target's sentence first."""
    order = [final.sentence, *(i for i in range(len(cut)) if i != final.sentence)]
    for index in order:
        for start, _, tier in _current_spans(cut[index].text):
            if (index, start) != (final.sentence, final.at):
                return tier
    return None


def _nothing_asked(dropped: list[str], quote: bool) -> str:
    if quote:
        return "the request asks for a quote or a price, not for a change"
    if dropped:
        return "; ".join(dict.fromkeys(dropped)) + ": no change is asked for"
    return "the request names no tier to move to (basic, standard or premium)"
