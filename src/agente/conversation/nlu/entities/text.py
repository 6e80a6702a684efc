"""Text normalisation shared by the extractors: accent folding, chat slang, typo repair.

Guests write lower case, without accents, with abbreviations and typos. Every extractor first
brings a message to one canonical form so that its grammar can be written once:

    "Kiero 3 nochs en diciembr x fa" -> "quiero 3 noches en diciembre por favor"
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from agente.conversation.nlu.entities.numbers import words_to_digits

__all__ = ["Speller", "fold", "normalise"]


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        decomposed = unicodedata.normalize("NFD", chr(code))
        if len(decomposed) > 1 and decomposed[0].isascii():
            table[code] = decomposed[0]
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Latin accents, one character for one.

    The result has the same length as ``text``, so a span found in the folded text slices the
    original (used to return names and mentions as the guest wrote them).
    """
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)


_SLANG: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"[’`´]", "'"),
        (r"\b(?:q|k|ke)\b", "que"),
        (r"\bk(?:iero|ero)\b", "quiero"),
        (r"\bkisiera\b", "quisiera"),
        (r"\b(?:xq|pq|porq)\b", "porque"),
        (r"\b(?:dnd|dnde)\b", "donde"),
        (r"\b(?:tb|tmb|tbn)\b", "tambien"),
        (r"\b(?:x\s+fa|xfa|xfavor|porfa|porfis|plz|pls|plis)\b", "por favor"),
        (r"\bx\b(?=\s+(?:favor|noche|persona|dia|adulto))", "por"),
        (r"\bpa\b", "para"),
        (r"\bpal\b", "para el"),
        (r"\bd\b(?=\s+[a-z])", "de"),
        (r"\bnox(?:e|es)\b", "noches"),
        (r"\b(?:tmrw|tmr|tmw|tomoz|tommorow|tommorrow|tomorow|2morrow|tmrrw)\b", "tomorrow"),
        (r"\b(?:tonite|2nite|tonigth|tonihgt)\b", "tonight"),
        (r"\b(?:finde|findes|fds|fin\s+de\s+seman)\b", "fin de semana"),
        (r"\b(?:wkend|wknd|w/e|week-end|week\s+end)\b", "weekend"),
        (r"\b(?:nites?|nts?|nigth|nigths|nighs)\b", "nights"),
        (r"\b(?:ppl|ppls)\b", "people"),
        (r"\b(?:habs?|hab\.)\b", "habitacion"),
        (r"\b(?:wi[\s\-]?fi|wiffi|wify|guifi|wiifi)\b", "wifi"),
        (r"\b(?:parkin|parquin|parquing|parkng)\b", "parking"),
        (r"\b(?:chek|chec|chk)(?=[\s\-]*(?:in|out)\b)", "check"),
        (r"\bcheck(?:ing)?[\s\-]*in\b", "checkin"),
        (r"\bcheck(?:ing)?[\s\-]*out\b", "checkout"),
        (r"\b(?:whats|wats)\b", "what is"),
        (r"\b(?:im)\b", "i'm"),
        (
            r"\b(?:un\s+par\s+de|a\s+couple\s+of|a\s+couple|couple\s+of)\s+"
            r"(?=(?:noches|nights?|dias|days|semanas|weeks|habitaciones|rooms|ninos|kids|adults|adultos)\b)",
            "2 ",
        ),
    )
)

_SPACES = re.compile(r"\s+")


class Speller:
    """Repairs one-edit typos of a fixed vocabulary, word by word.

    A word of five letters or more that is not in ``vocabulary`` and is one edit (insertion,
    deletion, substitution or adjacent swap) from exactly one vocabulary word of six letters
    or more is replaced by it; ``keep`` lists real words that must never be "repaired"
    ("personal" is one edit from "personas"). Two candidates at one edit leave the word as is:
    "jubio" could be junio or julio.
    """

    def __init__(self, vocabulary: Iterable[str], keep: Iterable[str] = ()) -> None:
        self._known = frozenset(vocabulary) | frozenset(keep)
        self._targets = tuple(sorted(w for w in self._known - frozenset(keep) if len(w) >= 6))
        self._cache: dict[str, str] = {}

    def word(self, token: str) -> str:
        if len(token) < 5 or token in self._known:
            return token
        cached = self._cache.get(token)
        if cached is None:
            found = extract(token, self._targets, scorer=OSA.distance, score_cutoff=1, limit=2)
            cached = found[0][0] if len(found) == 1 else token
            if len(self._cache) < 4096:
                self._cache[token] = cached
        return cached

    def correct(self, text: str) -> str:
        return re.sub(r"[a-z]+", lambda m: self.word(m.group(0)), text)


_DATE_AND_COUNT_WORDS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre "
    "january february march april june july august september october november december "
    "lunes martes miercoles jueves viernes sabado domingo "
    "monday tuesday wednesday thursday friday saturday sunday "
    "noches noche nights night semana semanas weeks weekend tomorrow tonight yesterday manana "
    "adultos adulto adults adult ninos nino ninas nina children child kids personas persona people "
    "persons person guests huespedes habitaciones habitacion rooms hijos hijas bebes bebe babies baby "
    "llegada salida llegamos llegaremos saldremos salimos arriving arrival leaving departure departing "
    "checkin checkout"
).split()

_SPELLER = Speller(
    _DATE_AND_COUNT_WORDS,
    keep=("personal", "personally", "mares", "salado", "sundae", "chile", "lights", "rights", "fights", "adulta"),
)

_ORDINAL_SUFFIX = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|ro|ero|er|do|to|vo|no|mo|º|ª|°)(?![a-z])")


def normalise(text: str, language: str) -> str:
    """Canonical form of a message for the date and count grammars.

    Folded (lower case, no accents), slang expanded, typos of calendar and party words
    repaired, number words turned into digits, and ordinals marked with ``º``
    ("the 3rd" -> "the 3º", "1ero" -> "1º"), whitespace collapsed.
    """
    result = fold(text)
    for pattern, replacement in _SLANG:
        result = pattern.sub(replacement, result)
    result = _SPELLER.correct(result)
    result = words_to_digits(result, language)
    result = _ORDINAL_SUFFIX.sub(r"\1º", result)
    return _SPACES.sub(" ", result).strip()
