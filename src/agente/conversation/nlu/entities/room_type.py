"""Which room type of the hotel's catalog a message mentions.

The guest's words and the catalog's names meet through *concepts*: small synonym sets in both
languages ("doble"/"double"/"matrimonio" -> double, "estándar"/"standard"/"general" ->
standard, "de lujo"/"deluxe"/"delux" -> deluxe). Each catalog name is read into concepts the
same way (its words matched to the synonyms with rapidfuzz, so "Delux Rooms" is deluxe), and
the entry whose concepts cover the guest's best wins:

* a concept the entry has scores 1.0, a near one 0.9 (deluxe and luxury stand for each other
  when the catalog has only one of them);
* a guest word that is in no synonym set is compared to the entry's own words (rapidfuzz
  ratio), so catalogs with their own names ("Ocean View") still match;
* each concept the entry has and the guest did not ask for costs 0.05, so "doble" prefers
  "Doble" to "Doble Superior" (standard is free: it is what a plain "doble" means).

Below ``MATCH_THRESHOLD``, or with two entries tied, the mention is returned with
``room_type_id=None`` so the dialogue can ask which one.

Bare words that are also ordinary words ("doble", "general", "family") count only next to a
room word or after an article ("la doble", "a double room", "the general one"), not in
"el doble de precio" or "a family of 4".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from agente.conversation.nlu.entities.text import Speller, fold
from agente.conversation.nlu.types import RoomTypeMention

__all__ = ["MATCH_THRESHOLD", "match_room_type"]

MATCH_THRESHOLD = 0.75
_OWN_WORD_THRESHOLD = 0.85

_CONCEPTS: dict[str, tuple[str, ...]] = {
    "double": ("doble", "dobles", "double", "doubles", "matrimonio", "matrimonial", "dbl"),
    "single": ("individual", "individuales", "single", "singles", "sencilla", "simple"),
    "twin": ("twin", "twins", "dos camas", "two beds", "camas separadas"),
    "triple": ("triple", "triples"),
    "family": ("familiar", "familiares", "family"),
    "suite": ("suite", "suites"),
    "junior": ("junior",),
    "deluxe": ("deluxe", "delux", "de luxe", "de lujo"),
    "luxury": ("luxury", "lujo", "lujosa", "lujoso", "luxurious"),
    "executive": ("executive", "ejecutiva", "ejecutivo", "business"),
    "standard": ("standard", "estandar", "general", "basica", "basico", "basic", "normal", "clasica", "classic"),
    "superior": ("superior", "superiores"),
    "premium": ("premium",),
    "economy": ("economy", "economica", "economico", "budget"),
}
_RELATED = {("deluxe", "luxury"), ("luxury", "deluxe"), ("suite", "junior")}
# Words that name a room type even alone; the rest need a room word or an article next to
# them, and the most ordinary ones a room word ("a simple question", "the family is coming").
_STRONG = frozenset({"suite", "junior", "deluxe", "luxury", "executive", "superior", "premium"})
_NEEDS_ROOM_WORD = frozenset(
    {"simple", "normal", "basic", "basica", "basico", "business", "classic", "clasica", "budget", "family", "familiar"}
)

_ROOM_WORDS = frozenset(
    {"habitacion", "habitaciones", "hab", "cuarto", "cuartos", "room", "rooms", "one", "cama", "camas", "bed", "beds"}
)
_ARTICLES = frozenset({"la", "una", "las", "esa", "esta", "the", "a", "an", "that", "this", "those"})
_GENERIC = _ROOM_WORDS | frozenset({"de", "del", "con", "with", "and", "y", "the", "la", "el"})
_NOT_FOLLOWED_BY = frozenset(
    """
    de of night nights noche noches trip viaje check rate rates price prices tarifa tarifas precio precios question
    questions pregunta preguntas way forma thing cosa request peticion person persona people gente
    """.split()
)

_SURFACE: dict[str, str] = {word: concept for concept, words in _CONCEPTS.items() for word in words}
_PHRASES = re.compile(r"\b(" + "|".join(sorted((w for w in _SURFACE if " " in w), key=len, reverse=True)) + r")\b")
_SPELLER = Speller([w for w in _SURFACE if " " not in w], keep=("familia", "general", "simple", "normal"))
_TOKEN = re.compile(r"[a-z]+")


@lru_cache(maxsize=256)
def _entry_concepts(name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    folded = fold(name)
    concepts = {_SURFACE[m.group(1)] for m in _PHRASES.finditer(folded)}
    words = tuple(w for w in _TOKEN.findall(_PHRASES.sub(" ", folded)) if w not in _GENERIC)
    for word in words:
        for surface, concept in _SURFACE.items():
            if " " not in surface and fuzz.ratio(word, surface) >= 90:
                concepts.add(concept)
    return frozenset(concepts), words


@dataclass(frozen=True, slots=True)
class _Hit:
    """A concept the guest named (``concept``) or another word of theirs (``word``), kept only
    when it is close to a word of some catalog name ("ocean" for "Ocean View Suite")."""

    start: int
    end: int
    concept: str | None = None
    word: str | None = None


def _hits(folded: str) -> list[_Hit]:
    hits = [_Hit(m.start(), m.end(), concept=_SURFACE[m.group(1)]) for m in _PHRASES.finditer(folded)]
    text = _PHRASES.sub(lambda m: " " * len(m.group(0)), folded)
    tokens = list(_TOKEN.finditer(text))
    words = [m.group(0) for m in tokens]
    for index, token in enumerate(tokens):
        word = _SPELLER.word(token.group(0))
        concept = _SURFACE.get(word)
        before = words[index - 1] if index else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        start, end = token.start(), token.end()
        if after in _ROOM_WORDS - {"one"}:
            end = tokens[index + 1].end()
        elif before in _ROOM_WORDS - {"one"}:
            start = tokens[index - 1].start()
        near_room = bool(_ROOM_WORDS.intersection(words[max(0, index - 2) : index] + words[index + 1 : index + 3]))
        if concept is not None:
            by_article = before in _ARTICLES and word not in _NEEDS_ROOM_WORD
            if after not in _NOT_FOLLOWED_BY and (concept in _STRONG or near_room or by_article):
                hits.append(_Hit(start, end, concept=concept))
        elif word not in _GENERIC and len(word) >= 4:
            hits.append(_Hit(start, end, word=word))
    return hits


def _word_score(word: str, entry_words: tuple[str, ...]) -> float:
    return max((fuzz.ratio(word, own) / 100 for own in entry_words), default=0.0)


def _score(hits: list[_Hit], entry: frozenset[str], entry_words: tuple[str, ...]) -> float:
    total = 0.0
    asked: set[str] = set()
    for hit in hits:
        if hit.concept is not None:
            asked.add(hit.concept)
            if hit.concept in entry:
                total += 1.0
            elif any((hit.concept, other) in _RELATED for other in entry):
                total += 0.9
        elif hit.word is not None:
            total += _word_score(hit.word, entry_words)
    unasked = len(entry - asked - {"standard"})
    return total / len(hits) - 0.05 * unasked if hits else 0.0


def match_room_type(text: str, language: str, catalog: Sequence[tuple[int, str]]) -> RoomTypeMention | None:
    """The room type ``text`` mentions, matched against ``catalog`` as ``(room_type_id, name)`` pairs.

    None when the message names no room type ("una habitación" is not a type). Otherwise the
    mention as the guest wrote it, the best entry's id (None below ``MATCH_THRESHOLD`` or on a
    tie) and its score in [0, 1]. ``language`` is accepted for symmetry with the other
    extractors; synonyms of both languages are read, since guests mix them.
    """
    entries = [(room_type_id, *_entry_concepts(name)) for room_type_id, name in catalog]
    all_words = tuple(w for _, _, words in entries for w in words)
    hits = [
        hit
        for hit in _hits(fold(text))
        if hit.concept is not None or (hit.word is not None and _word_score(hit.word, all_words) >= _OWN_WORD_THRESHOLD)
    ]
    if not hits:
        return None
    mention = text[min(h.start for h in hits) : max(h.end for h in hits)]
    scored = sorted(
        ((_score(hits, concepts, words), room_type_id) for room_type_id, concepts, words in entries),
        key=lambda p: -p[0],
    )
    if not scored:
        return RoomTypeMention(mention=mention, room_type_id=None, score=0.0)
    best_score, best_id = scored[0]
    tied = len(scored) > 1 and scored[1][0] == best_score
    if best_score < MATCH_THRESHOLD or tied:
        return RoomTypeMention(mention=mention, room_type_id=None, score=round(max(best_score, 0.0), 2))
    return RoomTypeMention(mention=mention, room_type_id=best_id, score=round(min(best_score, 1.0), 2))
