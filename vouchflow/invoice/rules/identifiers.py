"""One normal form for identifiers used as duplicate keys (supplier names, invoice numbers).

Two documents name the same supplier and number when their keys are equal, whatever
the way the text was typed, OCR'd or tampered with. `normalise_identifier`:

1. applies NFKC (fullwidth digits and letters, ligatures, superscripts become plain);
2. folds case (``casefold``, then NFKC again: folding can denormalise);
3. maps Cyrillic and Greek letters that look like Latin ones to the Latin letter
   (``INV`` typed with a Cyrillic capital I, U+0406, is ``inv``);
4. keeps only letters, marks and digits: spaces, punctuation and separators
   (``-``, ``/``, ``.``, ``#``), symbols, and every invisible character (format
   characters such as U+200B ZERO WIDTH SPACE, U+FEFF BOM, bidi marks; controls;
   private-use and unassigned code points) are dropped.

So ``"INV-1001"``, ``" inv 1001 "``, ``"INV\\u200b1001"``, the fullwidth ``"INV-1001"`` and
``"INV/1001"`` share the key ``"inv1001"``. Merging numbers that differ only by
punctuation is deliberate: a false match sends an invoice to a person; a missed one
pays a bill twice.

`invisible_characters` lists what a person cannot see in a value, for the validation
finding that names the field and the code points.
"""

from __future__ import annotations

import functools
import unicodedata

# Letters of other scripts that are drawn like a Latin letter (after case folding).
_LOOKALIKES: dict[str, str] = {
    "\u0430": "a",  # CYRILLIC SMALL LETTER A
    "\u0432": "b",  # CYRILLIC SMALL LETTER VE
    "\u0435": "e",  # CYRILLIC SMALL LETTER IE
    "\u0451": "e",  # CYRILLIC SMALL LETTER IO
    "\u0456": "i",  # CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
    "\u0457": "i",  # CYRILLIC SMALL LETTER YI
    "\u0458": "j",  # CYRILLIC SMALL LETTER JE
    "\u043a": "k",  # CYRILLIC SMALL LETTER KA
    "\u043c": "m",  # CYRILLIC SMALL LETTER EM
    "\u043d": "h",  # CYRILLIC SMALL LETTER EN
    "\u043e": "o",  # CYRILLIC SMALL LETTER O
    "\u0440": "p",  # CYRILLIC SMALL LETTER ER
    "\u0441": "c",  # CYRILLIC SMALL LETTER ES
    "\u0455": "s",  # CYRILLIC SMALL LETTER DZE
    "\u0442": "t",  # CYRILLIC SMALL LETTER TE
    "\u0443": "y",  # CYRILLIC SMALL LETTER U
    "\u0445": "x",  # CYRILLIC SMALL LETTER HA
    "\u0501": "d",  # CYRILLIC SMALL LETTER KOMI DE
    "\u051b": "q",  # CYRILLIC SMALL LETTER QA
    "\u051d": "w",  # CYRILLIC SMALL LETTER WE
    "\u03b1": "a",  # GREEK SMALL LETTER ALPHA
    "\u03b2": "b",  # GREEK SMALL LETTER BETA
    "\u03b5": "e",  # GREEK SMALL LETTER EPSILON
    "\u03b6": "z",  # GREEK SMALL LETTER ZETA
    "\u03b7": "h",  # GREEK SMALL LETTER ETA
    "\u03b9": "i",  # GREEK SMALL LETTER IOTA
    "\u03ba": "k",  # GREEK SMALL LETTER KAPPA
    "\u03bc": "m",  # GREEK SMALL LETTER MU
    "\u03bd": "v",  # GREEK SMALL LETTER NU
    "\u03bf": "o",  # GREEK SMALL LETTER OMICRON
    "\u03c1": "p",  # GREEK SMALL LETTER RHO
    "\u03c4": "t",  # GREEK SMALL LETTER TAU
    "\u03c5": "u",  # GREEK SMALL LETTER UPSILON
    "\u03c7": "x",  # GREEK SMALL LETTER CHI
}
_LOOKALIKE_TABLE = str.maketrans(_LOOKALIKES)

# Unicode general categories kept in a key: letters, combining marks, digits.
_KEPT_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No"})

# Categories nobody can see: controls, format characters (zero-width, BOM, bidi),
# surrogates, private use, unassigned; plus line/paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Characters in other categories that render as nothing (or as a plain space).
_INVISIBLE_EXTRA = frozenset(
    {
        "\u115f",  # HANGUL CHOSEONG FILLER
        "\u1160",  # HANGUL JUNGSEONG FILLER
        "\u3164",  # HANGUL FILLER
        "\uffa0",  # HALFWIDTH HANGUL FILLER
        "\u2800",  # BRAILLE PATTERN BLANK
        "\u034f",  # COMBINING GRAPHEME JOINER
        "\u180e",  # MONGOLIAN VOWEL SEPARATOR
    }
)


def normalise_identifier(value: str | None) -> str | None:
    """The duplicate key of `value`, or None when nothing identifying is left."""
    if value is None:
        return None
    return _normalise(value)


@functools.lru_cache(maxsize=4096)
def _normalise(value: str) -> str | None:
    # Cached: the same supplier names are normalised on every assessment.
    text = unicodedata.normalize("NFKC", value)
    text = unicodedata.normalize("NFKC", text.casefold())
    text = text.translate(_LOOKALIKE_TABLE)
    key = "".join(
        ch for ch in text if unicodedata.category(ch) in _KEPT_CATEGORIES and not _is_invisible(ch)
    )
    return key or None


def clean_identifier(value: str | None) -> str | None:
    """`value` as a person reads it: invisible characters dropped, NFKC, spaces collapsed.

    What a destination is sent, so a stored number never carries a zero-width space.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value)
    visible = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or not _is_invisible(ch)
    )
    cleaned = " ".join(visible.split())
    return cleaned or None


def _is_invisible(ch: str) -> bool:
    if ch.isascii():
        # Hot path (most keys are plain ASCII): only controls are invisible there.
        return ch < " " or ch == "\x7f"
    code = ord(ch)
    if 0xFE00 <= code < 0xFE10 or 0xE0100 <= code < 0xE01F0:
        return True
    return ch in _INVISIBLE_EXTRA or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def code_point(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def invisible_characters(value: str | None) -> list[str]:
    """Distinct invisible, format or control characters in `value`, as 'U+200B ZERO WIDTH
    SPACE', in order of first appearance. Tabs and newlines count too (a key field is one
    line)."""
    if not value:
        return []
    seen: dict[str, None] = {}
    for ch in value:
        if _is_invisible(ch):
            seen.setdefault(code_point(ch), None)
    return list(seen)
