"""The guest's e-mail, phone number and name, as written in a message.

extract_email("mi correo: PEDRO_R@Hotmail.es")        -> "pedro_r@hotmail.es"
extract_phone("llámame al 0034 622 111 222")           -> "+34622111222"
extract_guest_name("soy juan perez, quiero reservar", "es") -> "Juan Perez"
"""

from __future__ import annotations

import re

from agente.conversation.nlu.entities.calendar_words import MONTHS, WEEKDAYS
from agente.conversation.nlu.entities.text import fold

__all__ = ["PHONE_CANDIDATE", "extract_email", "extract_guest_name", "extract_phone", "phone_digits"]

# Starts only where a run of address characters starts: otherwise every position of a long run
# without "@" rescans it (quadratic time on a 10 kB word).
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

# The blanks or parentheses before the first digit are bounded for the same reason.
PHONE_CANDIDATE = re.compile(r"(?<![\w+@/.,])(?:\+|\b00)?[\s(]{0,4}\d[\d\s().\-]{7,}\d(?![\w/]|[.,]\d)")
_DATE_INSIDE = re.compile(
    r"(?:[012]?\d|3[01])[./\-](?:0?[1-9]|1[0-2])[./\-](?:19|20)\d{2}|(?:19|20)\d{2}-(?:0?[1-9]|1[0-2])-(?:[012]?\d|3[01])"
)
_PHONE_WORDS = re.compile(r"\b(?:tel|tlf|tfno|telefono|movil|celular|cel|whatsapp|wasap|phone|mobile|cell|call|llama)")
_OTHER_NUMBER_WORDS = re.compile(
    r"\b(?:reserva|booking|ref|referencia|reference|localizador|confirmacion|confirmation|conf|pedido|order|"
    r"factura|invoice|dni|nie|pasaporte|passport|tarjeta|card|iban|cuenta|account|precio|price|total)"
)
_CURRENCY_AFTER = re.compile(r"\s*(?:€|\$|£|eur|euros?|usd|dolares|dollars?)\b", re.IGNORECASE)


def extract_email(text: str) -> str | None:
    """The first e-mail address in ``text``, lower-cased, or None."""
    match = _EMAIL.search(text)
    return match.group(0).lower() if match else None


def phone_digits(candidate: str) -> str | None:
    """``candidate`` as "+<digits>" (international, "+" or "00" given) or "<digits>", if it is a phone.

    A phone has 9 to 15 digits and holds no date ("12.12.2026 - 15.12.2026" is two dates).
    """
    stripped = candidate.strip(" (")
    international = stripped.startswith(("+", "00"))
    digits = re.sub(r"\D", "", stripped)
    if stripped.startswith("00"):
        digits = digits[2:]
    if not 9 <= len(digits) <= 15 or _DATE_INSIDE.search(candidate):
        return None
    return f"+{digits}" if international else digits


def _context_says_phone(before: str) -> bool:
    """True unless the nearest keyword before the number names something else (a booking, a price)."""
    window = fold(before[-40:])
    phone = max((m.end() for m in _PHONE_WORDS.finditer(window)), default=-1)
    other = max((m.end() for m in _OTHER_NUMBER_WORDS.finditer(window)), default=-1)
    return other <= phone


def extract_phone(text: str) -> str | None:
    """The first phone number in ``text``, normalised by :func:`phone_digits`, or None.

    Booking numbers, prices and card numbers are skipped by the word before them.
    """
    text = _EMAIL.sub(" ", text)
    for match in PHONE_CANDIDATE.finditer(text):
        number = phone_digits(match.group(0))
        if number is None or _CURRENCY_AFTER.match(text, match.end()):
            continue
        if _context_says_phone(text[: match.start()]):
            return number
    return None


# A trigger says a name follows. "strict" triggers ("me llamo", "my name is") are trusted;
# the others ("soy", "I'm", "this is") also open ordinary sentences, so the first word after
# them must look like a name.
_TITLE = r"(?:(?:el|la)\s+)?(?:(?:senor|senora|senorita|sr|sra|srta|don|dona|mr|mrs|ms|miss|dr|doctor|doctora)\.?\s+)?"
_TRIGGERS: tuple[tuple[re.Pattern[str], bool], ...] = tuple(
    (re.compile(pattern + _TITLE), strict)
    for pattern, strict in (
        (r"\bme\s+llamo\s+", True),
        (r"\bmi\s+nombre\s+(?:es|:)\s*", True),
        (r"\bmy\s+name(?:\s+is|'s|\s*:)\s*", True),
        (r"(?:^|[.!?,;]\s*|\bthe\s+)name['’]s\s+", True),
        (r"\b(?:nombre|name)\s*:\s*", True),
        (r"\b(?:a|al|en)\s+nombre\s+de\s*:?\s*", True),
        (r"\b(?:in|under)\s+the\s+name\s+(?:of\s+)?", True),
        (r"\b(?:it['’]?s|it\s+is|booking\s+is|reservation\s+is)\s+under\s+", True),
        (r"\b(?:booking|reservation|reserva|room)\s+(?:is\s+|es\s+)?(?:for|para)\s+", False),
        (r"\b(?:soy|le\s+escribe|les\s+escribe|te\s+escribe)\s+", False),
        (r"\b(?:i\s+am|i'm|i’m|im|this\s+is|call\s+me)\s+", False),
    )
)

_PARTICLES = frozenset({"de", "del", "la", "las", "los", "van", "von", "da", "di", "du", "le", "dos", "das"})
_STOP = frozenset(
    """
    y e and mi my con with para for por from desde email e-mail mail correo telefono tel tlf movil phone number numero
    i i'm quiero quisiera queria want would need necesito reserva reservation booking room habitacion tengo have
    llego arriving please por favor gracias thanks thank here aqui the el a an un una que who to at in on of is am
    was were be soy es estoy are we nosotros yo you usted ustedes he she it this that
    """.split()
)
_NOT_NAMES = _STOP | frozenset(
    """
    de del los las muy tan nuevo nueva cliente clienta huesped interesado interesada turista tourist not so very just
    here there looking going interested staying sorry fine good ok okay happy glad ready sure new back alone traveling
    travelling trying calling writing wondering coming arriving leaving hoping planning afraid also still really
    currently already guest customer member your their his her hungry tired late early allergic alergico alergica
    vegetarian vegan vegano vegana celiaco celiaca casado casada soltero soltera estudiante student unable able
    booked hotel hola hello hi hey buenas buenos sir madam senor senora senorita gonna going told asking ask
    reservando reservado reserved checking checked looking afraid still wanting told trying confused lost
    familia family pareja couple amigo amiga friend friends grupo group uno dos tres cuatro one two three four
    tomorrow today tonight manana hoy esta este next this last el proximo todos all both ambos
    mucho mucha muchos muchas poco poca bastante demasiado nada algo medio super quite pretty kind sort more big
    huge fan
    great awesome perfect amazing fantastic wonderful nice lovely helpful excellent correct right wrong what
    exactly urgent important possible true false weird strange annoying ridiculous unacceptable confusing
    perfecto genial estupendo increible urgente importante posible cierto raro extrano
    spanish english british american german french italian irish dutch espanol espanola ingles inglesa aleman
    alemana frances francesa italiano italiana mexicano mexicana colombiano colombiana madrileno madrilena
    """.split()
)
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*")
_GAP = re.compile(r"[ \t]+")


def _looks_like_name(word: str) -> bool:
    lowered = fold(word)
    if lowered in _NOT_NAMES or lowered in MONTHS or lowered in WEEKDAYS or len(lowered) < 2:
        return False
    return not lowered.endswith(("ing", "ed")) or word[:1].isupper()


def _title(word: str) -> str:
    if word.islower() or word.isupper():
        return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), word)
    return word


def _name_after(text: str, start: int, strict: bool) -> str | None:
    words: list[str] = []
    position = start
    while len(words) < 4:
        match = _NAME_WORD.match(text, position)
        if not match:
            break
        word = match.group(0)
        lowered = fold(word)
        if not (words and lowered in _PARTICLES):
            if lowered in _STOP:
                break
            if not _looks_like_name(word) and (words or not strict):
                break
        words.append(word)
        gap = _GAP.match(text, match.end())
        if not gap:
            break
        position = gap.end()
    while words and fold(words[-1]) in _PARTICLES:
        words.pop()
    if not words:
        return None
    return " ".join(w.lower() if i and fold(w) in _PARTICLES else _title(w) for i, w in enumerate(words))


def extract_guest_name(text: str, language: str) -> str | None:
    """The name the guest gives for themself or the booking, title-cased, or None.

    Read after "me llamo", "mi nombre es", "soy", "a nombre de", "my name is", "I'm",
    "it's under", "the booking is for" and the like; at most four words, stopping at
    punctuation or at a word that cannot be part of a name ("y", "and", "mi", "email"...).
    After "soy"/"I'm"/"this is" the first word must look like a name, so "soy de Madrid" and
    "I'm looking for a room" give None. Particles stay lower case ("María de la Fuente").
    ``language`` is accepted for symmetry with the other extractors; triggers of both
    languages are read, since guests mix them.
    """
    folded = fold(text)
    found: list[tuple[int, str]] = []
    for pattern, strict in _TRIGGERS:
        for match in pattern.finditer(folded):
            name = _name_after(text, match.end(), strict)
            if name:
                found.append((match.start(), name))
                break
    if not found:
        return None
    return min(found)[1]
