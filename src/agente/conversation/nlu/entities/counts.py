"""How many adults, children and rooms a message asks for.

    extract_party("dos adultos y un niño", "es")       -> Party(adults=2, children=1)
    extract_party("una familia de 4 con 2 niños", "es") -> Party(adults=2, children=2)
    extract_party("me and my wife", "en")              -> Party(adults=2)

A number counts only next to a word that says what it counts ("3 personas", "2 rooms",
"somos 4"); dates, nights, prices, phones, times and ages are never read as people. When a
kind is said twice the last one wins, so a correction ("2 adultos... mejor 3 adultos") ends
as the guest meant it.
"""

from __future__ import annotations

import re

from agente.conversation.nlu.entities.calendar_words import MONTH_PATTERN
from agente.conversation.nlu.entities.noise import MARK, mask_noise
from agente.conversation.nlu.entities.text import normalise
from agente.conversation.nlu.types import Party

__all__ = ["extract_count_answer", "extract_leading_adults", "extract_party", "mask_party_numbers"]

_ONE = r"un|una|uno|an?|one"
_N = rf"(?P<n>\d{{1,2}}|{_ONE})"
_ADULT_NOUNS = r"adultos?|adultas?|adults?|mayores|grown[\s\-]?ups?|seniors?"
_CHILD_NOUNS = (
    r"ninos?|ninas?|nenes?|nenas?|kids?|children|childs?|menor(?:es)?|peques?|hijos?|hijas?|"
    r"sons?|daughters?|teens?|teenagers?|adolescentes?|crios?|crias?|chavales|chiquillos?"
)
_BABY_NOUNS = r"bebes?|babies|baby|infants?|toddlers?|bebitos?|lactantes?"
_PEOPLE_NOUNS = r"personas?|people|persons?|guests?|huespedes|huesped|pax|viajeros?|travell?ers?|of\s+us"
_ROOM_NOUNS = r"habitaciones|habitacion|cuartos?|rooms?|dobles|individuales|suites|apartamentos|apartments?"
_ANY_NOUN = rf"{_ADULT_NOUNS}|{_CHILD_NOUNS}|{_BABY_NOUNS}|{_PEOPLE_NOUNS}|{_ROOM_NOUNS}|camas?|beds?"

_AMONG = r"(?:(?:de\s+ell[oa]s|of\s+them)\s+(?:(?:son|es|are|is)\s+)?(?:(?:un|una|a|an)\s+)?)?"
_ADULTS = re.compile(rf"\b{_N}\s+(?:personas?\s+)?(?:{_ADULT_NOUNS})\b")
_CHILDREN = re.compile(rf"\b{_N}\s+{_AMONG}(?:{_CHILD_NOUNS})\b")
_BABIES = re.compile(rf"\b{_N}\s+{_AMONG}(?:{_BABY_NOUNS})\b")
_PEOPLE = re.compile(rf"\b(?P<n>\d{{1,2}}|una)\s+(?:{_PEOPLE_NOUNS})\b")
_COUPLES = re.compile(r"\b(?P<n>\d{1,2})\s+(?:parejas|couples|matrimonios)\b")
_FRIENDS = re.compile(r"\b(?P<n>\d{1,2})\s+(?:amig[oa]s|friends|colegas|colleagues|companer[oa]s|mates)\b")
_GROUP = re.compile(
    r"\b(?:somos|seremos|seriamos|vamos\s+a\s+ser|vamos|venimos|viajamos|we\s+are|we're|we\s+will\s+be|we'll\s+be|"
    r"we\s+would\s+be|nosotros|nosotras|there\s+are|there\s+will\s+be|party\s+of|group\s+of|grupo\s+de|familia\s+de|family\s+of|"
    r"un\s+total\s+de|a\s+total\s+of|total|para|for)\s+(?:a\s+|an\s+|una\s+|un\s+)?(?:(?:group|grupo|family|familia)\s+"
    r"(?:of|de)\s+)?(?P<n>\d{1,2})\b"
    rf"(?!\s*(?:º|[/.:\-]\d|(?:de\s+|of\s+)?{MONTH_PATTERN}\b|(?:{_ANY_NOUN})\b|noches|nights?|semanas|weeks?|dias|days|familias|families|parejas|couples|{MARK}))"
)
_ROOMS = re.compile(rf"\b(?P<n>\d{{1,2}}|one)\s+(?:{_ROOM_NOUNS})\b")


def _form(nouns: str) -> re.Pattern[str]:
    """The form style of a count: "adultos: 2", "rooms = 1"."""
    return re.compile(rf"\b(?:{nouns})\s*[:=]\s*(?P<n>\d{{1,2}})\b")


# When a message is written as a form, its fields are the counts: in "Adults: 2 Children: 0"
# the "2 Children" that a reading across the colon would see is not one.
_FORMS = {
    _ADULTS: _form(_ADULT_NOUNS),
    _CHILDREN: _form(_CHILD_NOUNS),
    _BABIES: _form(_BABY_NOUNS),
    _PEOPLE: _form(_PEOPLE_NOUNS),
    _ROOMS: _form(_ROOM_NOUNS),
}

_ADULT_RELATIVES = (
    r"esposa|esposo|marido|mujer|pareja|novia|novio|prometida|prometido|madre|padre|mama|papa|hermana|hermano|"
    r"amiga|amigo|suegra|suegro|companera|companero|jefa|jefe|abuela|abuelo|"
    r"wife|husband|partner|boyfriend|girlfriend|fiance|fiancee|mother|father|mom|mum|dad|sister|brother|friend|"
    r"colleague|boss|grandma|grandpa|grandmother|grandfather"
)
_PAIR_RELATIVES = r"padres|suegros|abuelos|parents|grandparents|in-laws"
_CHILD_RELATIVES = r"hijo|hija|nino|nina|peque|bebe|son|daughter|kid|child|baby|boy|girl|little\s+one"
_POSSESSIVE = r"\b(?:mi|my|nuestro|nuestra|our)\s+"
_ADULT_RELATIVE = re.compile(rf"{_POSSESSIVE}(?:{_ADULT_RELATIVES})\b")
_PAIR_RELATIVE = re.compile(rf"\b(?:mis|my|our|nuestros)\s+(?:{_PAIR_RELATIVES})\b")
_CHILD_RELATIVE = re.compile(
    rf"(?:{_POSSESSIVE}|\b(?:el|la|the|con|with|y|and|plus|mas)\s+|\+\s*)(?:{_CHILD_RELATIVES})\b"
)
_SELF = re.compile(
    rf"\b(?:yo|me|myself|i|i'm|para\s+mi\b(?!\s+(?:{_ADULT_RELATIVES}|{_CHILD_RELATIVES}|hijos|hijas|ninos|ninas)\b)|"
    r"viajo|voy|vengo|estoy|travel+ing)\b"
)
# The guest is one of the party: "somos", "we", "us". A booking only "para mi madre" is not.
_WE = re.compile(r"\b(?:somos|seremos|vamos|venimos|viajamos|nosotros|nosotras|we|we're|we'll|us)\b")
_FOR_BEFORE = re.compile(r"\b(?:para|for)\s*$")
_COUPLE = re.compile(
    r"\b(?:una\s+pareja|somos\s+pareja|en\s+pareja|a\s+couple|a\s+married\s+couple)\b(?!\s+(?:de|of)\b)"
)
_ALONE = re.compile(
    r"\b(?:solo\s+yo|solamente\s+yo|yo\s+sol[oa]|viajo\s+sol[oa]|voy\s+sol[oa]|vengo\s+sol[oa]|estoy\s+sol[oa]|"
    r"para\s+mi\s+sol[oa]|solo\s+para\s+mi|just\s+me|only\s+me|just\s+myself|by\s+myself|on\s+my\s+own|"
    r"(?:travel+ing|coming|going|i'm|i\s+am|be)\s+alone|single\s+traveller|single\s+traveler|"
    r"una\s+(?:sola|unica)\s+persona|una\s+persona\s+sola|(?:a|one)\s+single\s+(?:person|guest|adult)|"
    r"single\s+occupancy|uso\s+individual)\b"
    r"|\b(?:para\s+mi|for\s+me|for\s+myself)\s*(?:$|[.!?,;])"
)
# "para 2 + bebé" / "somos 2 y un niño" add the children to the number; "familia de 4 con 2
# niños" counts them in it.
_ADDED_CHILDREN = re.compile(
    rf"\b\d{{1,2}}\s*(?:(?:{_PEOPLE_NOUNS})\s*)?(?:\+|\by\b|\band\b|\bplus\b|\bmas\b)\s*"
    rf"(?:(?:un|una|a|an|\d{{1,2}}|el|la|los|las|the|mi|my|our|nuestro|nuestra|nuestros|mis)\s+)?(?:{_CHILD_NOUNS}|{_BABY_NOUNS})\b"
)
# Children given by their ages: "our 6-year-old", "a 6yo", "the kids (4 and 7)", "los niños de
# 4 y 7". Read before the ages are masked as noise; an age of 18 or more is not a child.
_AGE_UNIT = r"(?:[\s\-]*(?:years?|yrs?)[\s\-]*old|[\s\-]*(?:yo|y/o)\b|\s+(?:anos|ano|years?|yrs?)(?:\s+de\s+edad)?\b)"
_ONE_BY_AGE = re.compile(
    r"(?:^|[+,&(]|\b(?:a|an|one|our|my|y|e|and|with|con|plus|mas|nuestro|nuestra|mi|un|una))\s*"
    rf"(?P<age>\d{{1,2}}){_AGE_UNIT}"
)
_PLURAL_CHILD = r"ninos|ninas|kids|children|hijos|hijas|peques|nenes|nenas|crios|sons|daughters|boys|girls"
_AGES_LIST = re.compile(
    rf"(?<!\d\s)\b(?:{_PLURAL_CHILD})\s*[(,:]?\s*(?:aged|ages|of|de|age|edades|con)?\s*"
    r"(?P<ages>\d{1,2}(?:\s*(?:,|y|e|and|&|/)\s*\d{1,2})+)\b"
)


def _children_by_age(text: str) -> int:
    """Children a message gives only by their ages (none when it counts them otherwise)."""
    listed = sum(
        sum(1 for age in re.findall(r"\d+", m.group("ages")) if int(age) < 18) for m in _AGES_LIST.finditer(text)
    )
    text = _AGES_LIST.sub(" ", text)
    return listed + sum(1 for m in _ONE_BY_AGE.finditer(text) if int(m.group("age")) < 18)


_AMONG_THEM = re.compile(r"\b(?:of\s+them|de\s+ellos|de\s+ellas|among\s+them|entre\s+ellos)\b")


# "a baby" and "un niño" count people only where the guest is listing the party ("2 adults
# and a baby", "tenemos un bebé"); "her sister had a baby" or "like a teenager" do not.
_ARTICLE_COUNT_BEFORE = re.compile(
    r"(?:^|[+,&:]|\b(?:y|e|and|con|with|plus|mas|de|of|para|for|tenemos|have|has|traemos|traigo|bring|bringing|"
    r"llevamos|llevo|somos|are|incluye|including|adultos?|adults?|yo|i|me|we|nosotros))\s*$"
)
# A relative is a companion when joined to the party ("con mi hija", "my wife and I") or said
# in a sentence about the stay; "my daughter said this is quicker" brings nobody.
_JOINED_BEFORE = re.compile(r"(?:[+&,]|\b(?:con|with|y|e|and|plus|mas|para|for|junto\s+a|together\s+with))\s*$")
_JOINED_AFTER = re.compile(r"^\s*(?:y|e|and|&|\+|,)\s*(?:yo|i|me|myself|mi|mis|my|our|nuestr[oa]s?|\d)\b")
_STAY_CUES = re.compile(
    r"\b(?:\d{1,2}|habitacion(?:es)?|cuartos?|rooms?|reserv\w*|book\w*|noches?|nights?|viaj\w*|travel\w*|"
    r"venimos|vamos|vengo|coming|come|stay\w*|quedar\w*|alojar\w*|hospedar\w*|somos|we\s+are|we're)\b"
)
_SENTENCE_END = re.compile(r"[.!?;\n]")


def _count(word: str) -> int:
    return int(word) if word.isdigit() else 1


def _said_as_count(pattern: re.Pattern[str], text: str, match: re.Match[str]) -> bool:
    if match.group("n").isdigit() or pattern not in (_CHILDREN, _BABIES):
        return True
    return bool(_ARTICLE_COUNT_BEFORE.search(text[max(0, match.start() - 30) : match.start()]))


def _last(pattern: re.Pattern[str], text: str) -> int | None:
    form = _FORMS.get(pattern)
    if form is not None and form.search(text):
        pattern = form
    value: int | None = None
    for match in pattern.finditer(text):
        if _said_as_count(pattern, text, match):
            value = _count(match.group("n"))
    return value


def _sentence(text: str, start: int, end: int) -> str:
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


def _companions_in(pattern: re.Pattern[str], text: str) -> int:
    """How many matches of ``pattern`` name someone who comes along."""
    found = 0
    for match in pattern.finditer(text):
        joined = _JOINED_BEFORE.search(text[max(0, match.start() - 20) : match.start()]) or _JOINED_AFTER.search(
            text[match.end() : match.end() + 20]
        )
        if joined or _STAY_CUES.search(_sentence(text, match.start(), match.end())):
            found += 1
    return found


def _mark_number(match: re.Match[str]) -> str:
    return match.group(0)[: match.start("n") - match.start()] + MARK


def mask_party_numbers(text: str) -> str:
    """Replace the numbers of people and rooms in normalised ``text`` with ``§``.

    Used by the date grammar so that "para 2 adultos del 2 al 4" keeps only its two days.
    """
    for pattern in (_ADULTS, _CHILDREN, _BABIES, _PEOPLE, _GROUP, _ROOMS, _COUPLES, _FRIENDS):
        text = pattern.sub(_mark_number, text)
    for form in _FORMS.values():
        text = form.sub(_mark_number, text)
    return re.sub(rf"\b\d{{1,2}}\s*(?:-|–|o|or)\s*(?={MARK})", f"{MARK} ", text)


def _only_for_others(text: str) -> bool:
    """Whether the message books for relatives without the guest: "es para mi madre"."""
    matches = [*_ADULT_RELATIVE.finditer(text), *_PAIR_RELATIVE.finditer(text)]
    return (
        bool(matches)
        and all(_FOR_BEFORE.search(text[max(0, m.start() - 12) : m.start()]) for m in matches)
        and not _SELF.search(text)
        and not _WE.search(text)
        and not _CHILD_RELATIVE.search(text)
    )


def _companions(text: str) -> tuple[int | None, int]:
    """Adults and children implied by relatives ("mi mujer y yo" is two adults)."""
    friends = sum(int(m.group("n")) for m in _FRIENDS.finditer(text))
    adult_relatives = _companions_in(_ADULT_RELATIVE, text) + 2 * _companions_in(_PAIR_RELATIVE, text) + friends
    child_relatives = 0 if _AMONG_THEM.search(text) else _companions_in(_CHILD_RELATIVE, text)
    if adult_relatives:
        return (0 if _only_for_others(text) else 1) + adult_relatives, child_relatives
    if child_relatives and _SELF.search(text):
        return 1, child_relatives
    return None, child_relatives


def extract_party(text: str, language: str) -> Party:
    """Adults, children and rooms in ``text``; each is None when the message does not say.

    A total ("somos 4", "family of 4", "3 personas") gives the adults when nothing else does,
    less the children counted in it ("familia de 4 con 2 niños" is 2 + 2, while "para 2 +
    bebé" adds the baby to the two). Babies are
    children. Relatives count ("mi esposa y yo" = 2, "my husband and I and our 2 kids" =
    2 + 2), and so do "solo yo" / "just me" (1) and "una pareja" / "a couple" (2). A room
    type ("una doble") is not a count of people, and an article is not a count of rooms.
    """
    normalised = normalise(text, language)
    s = mask_noise(normalised)
    adults = _last(_ADULTS, s)
    kids = _last(_CHILDREN, s)
    babies = _last(_BABIES, s)
    total = _last(_PEOPLE, s)
    group = _last(_GROUP, s)
    total = total if total is not None else group
    related_adults, related_children = _companions(s)
    children = None if kids is None and babies is None else (kids or 0) + (babies or 0)
    by_age = 0 if _AMONG_THEM.search(s) else _children_by_age(normalised)
    if children is None and (related_children or by_age):
        children = related_children + by_age
        if adults is None and related_adults is None and _SELF.search(s):
            related_adults = 1
    if adults is None:
        if total is not None:
            adults = total
            if children and total > children and not _ADDED_CHILDREN.search(s):
                adults = total - children
        elif related_adults is not None:
            adults = related_adults
        elif (couples := _last(_COUPLES, s)) is not None:
            adults = 2 * couples
        elif _COUPLE.search(s):
            adults = 2
        elif _ALONE.search(s):
            adults = 1
    elif children is None and total is not None and total > adults:
        children = total - adults
    return Party(adults=adults, children=children, rooms=_last(_ROOMS, s))


_FILLER = (
    r"somos|seremos|seriamos|vamos|venimos|we\s+are|we're|we\s+will\s+be|we'll\s+be|we\s+would\s+be|there\s+are|"
    r"just|only|solo|solamente|unicamente|pues|bueno|vale|ok|okay|hmm+|eh+|em+|total|en\s+total|in\s+total|"
    r"please|por\s+favor|gracias|thanks|thank\s+you|creo|i\s+think|de\s+momento|for\s+now|en\s+principio|"
    r"nada\s+mas|no\s+mas|seran|will\s+be|would\s+be|the|a|an|of\s+us|de\s+nosotros|in\s+all|nomas|no\s+mas|"
    r"personas?|people|persons?|pax|guests?|huespedes|adultos?|adults?"
)
_SPACES = re.compile(r"\s+")
_COUNT_ANSWER = re.compile(rf"^(?:(?:{_FILLER})\s+)*(?P<n>\d{{1,2}})(?:\s+(?:{_FILLER}))*$")


def extract_count_answer(text: str, language: str) -> int | None:
    """The number of guests in a bare answer to "how many are you?" ("2", "dos", "just 2
    please", "somos tres"), or None when the message is more than a number."""
    s = re.sub(r"[^\w\s']+", " ", normalise(text, language))
    match = _COUNT_ANSWER.match(_SPACES.sub(" ", s).strip())
    if match is None:
        return None
    n = int(match.group("n"))
    return n if 1 <= n <= 30 else None


# "2 y un niño de 3", "two and a baby", "2 + 1 kid": a number that opens the answer and is
# joined to children.
_LEADING_ADULTS = re.compile(rf"^(?:(?:{_FILLER})\s+)*(?P<n>\d{{1,2}})\s*(?:\+|(?:y|e|and|plus|mas|con|with)\b)")


def extract_leading_adults(text: str, language: str) -> int | None:
    """The adults in an answer to "how many are you?" that opens with a bare number joined to
    children ("2 y un niño de 3", "two and a baby"); None when it does not. Only an answer to
    that question reads so: elsewhere "el 14 y un niño" is a day, not fourteen adults."""
    s = re.sub(r"[^\w\s'+]+", " ", normalise(text, language))
    match = _LEADING_ADULTS.match(_SPACES.sub(" ", s).strip())
    if match is None:
        return None
    n = int(match.group("n"))
    return n if 1 <= n <= 30 else None
