"""The guest's e-mail, phone number and name, as written in a message, told apart by their shape.

An e-mail is a word with "@" that ``email-validator`` accepts; its digits are never a phone.
A phone is found with libphonenumber's ``PhoneNumberMatcher`` and given in E.164, a number
without country code completed from the hotel's country (``region``). A name is letters.

extract_email("mi correo: PEDRO_R@Hotmail.es")               -> "pedro_r@hotmail.es"
extract_phone("llámame al 0034 622 111 222", "US")            -> "+34622111222"
extract_phone("my cell (305) 555-0142", "US")                 -> "+13055550142"
extract_phone("mi tlf 612 345 678", "US")                     -> "612345678"  (no country: asked)
extract_guest_name("soy juan perez, quiero reservar", "es")   -> "Juan Perez"
bare_name("Ana López ana.l90@gmail.com 612345678")            -> "Ana López"
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from babel import Locale
from email_validator import EmailNotValidError, validate_email

from agente.conversation.nlu.entities.calendar_words import MONTHS, WEEKDAYS
from agente.conversation.nlu.entities.text import fold

__all__ = [
    "PHONE_CANDIDATE",
    "bare_name",
    "calling_code",
    "complete_phone",
    "extract_email",
    "extract_guest_name",
    "extract_phone",
    "malformed_email",
    "name_with_digits",
    "phone_digits",
]

# Starts only where a run of address characters starts: otherwise every position of a long run
# without "@" rescans it (quadratic time on a 10 kB word). Letters of any script are allowed
# ("josé@correo.es"); blanks around the "@" are a typing slip ("ana.l90 @gmail.com").
_EMAIL = re.compile(r"(?<![\w.%+\-'])[\w.%+\-']+ ?@ ?[^\W_][\w\-]*(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
# A word with an "@" inside: the guest meant an address, even when it is not one.
_AT_WORD = re.compile(r"(?<!\S)\S*@\S*")

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
# "0034 622…": most of the world dials abroad with 00; libphonenumber knows it only for
# regions that use it, so it is read as the "+" it stands for.
_IDD_00 = re.compile(r"(?<![\w+.,])00(?=\s?[1-9])")
# A message is a few lines; a longer one is not scanned past this for phones.
_PHONE_SCAN_CHARS = 2000
_MIN_PHONE_DIGITS = 8


def extract_email(text: str) -> str | None:
    """The first valid e-mail address in ``text``, normalised and lower-cased, or None.

    Lower case throughout: the hotel compares addresses that way, and mail providers do not
    tell "Ana" from "ana" before the "@"."""
    for match in _EMAIL.finditer(text):
        candidate = match.group(0).replace(" ", "").rstrip(".-")
        try:
            checked = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        return checked.normalized.lower()
    return None


def malformed_email(text: str) -> str | None:
    """A word with an "@" that is no valid e-mail ("ana@gmail", "ana@@x.com"), or None."""
    for match in _AT_WORD.finditer(_EMAIL.sub(" ", text)):
        word = match.group(0).strip(".,;:!?()<>\"'")
        if len(word) > 1 and extract_email(word) is None:
            return word
    return None


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


def _is_phone_at(text: str, start: int, end: int) -> bool:
    raw = text[start:end]
    return (
        not _DATE_INSIDE.search(raw)
        and not _CURRENCY_AFTER.match(text, end)
        and _context_says_phone(text[:start])
        and len(re.sub(r"\D", "", raw)) >= _MIN_PHONE_DIGITS
    )


def _without_emails(text: str) -> str:
    """``text`` with every word holding an "@" blanked out, so its digits are never a phone."""
    blank = lambda m: " " * len(m.group(0))  # noqa: E731 - the same length keeps the spans
    return _AT_WORD.sub(blank, _EMAIL.sub(blank, text))


def e164(number: phonenumbers.PhoneNumber) -> str | None:
    """``number`` in E.164 when its length fits its country's numbering plan, else None.

    "Possible", not "valid": the number ranges libphonenumber knows change every year and
    reject the fictional 555 numbers; the length is what tells a phone from a typo."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def extract_phone(text: str, region: str) -> str | None:
    """The first phone number in ``text``: in E.164 ("+34612345678"), a number without country
    code read as one of ``region`` (ISO 3166 alpha-2, the hotel's country).

    A number that ``region``'s plan cannot hold ("612 345 678" for "US") comes back as its
    digits, without "+": the guest is to be asked which country it is from. Digits inside an
    e-mail, booking numbers, prices, dates and card numbers are never a phone.
    """
    text = _IDD_00.sub("+", _without_emails(text[:_PHONE_SCAN_CHARS]))
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        if _is_phone_at(text, match.start, match.end):
            number = e164(match.number)
            if number is not None:
                return number
    for candidate in PHONE_CANDIDATE.finditer(text):
        digits = phone_digits(candidate.group(0))
        if digits is None or digits.startswith("+") or not _is_phone_at(text, candidate.start(), candidate.end()):
            continue
        return digits
    return None


_CALLING_CODE = re.compile(r"(?:^|(?<=\s)|(?<=\())(?:\+|00)\s?([1-9]\d{0,2})(?!\d)|^\s*([1-9]\d{0,2})\s*[.!]?\s*$")


@cache
def _countries() -> dict[str, str]:
    """Country names in Spanish and English, folded ("espana", "spain", "reino unido"), to region."""
    names: dict[str, str] = {}
    for language in ("en", "es"):
        for region, name in Locale.parse(language).territories.items():
            if len(region) == 2 and region.isalpha() and phonenumbers.country_code_for_region(region):
                names[fold(name)] = region
    names.update({"usa": "US", "eeuu": "US", "ee.uu.": "US", "ee uu": "US", "uk": "GB", "england": "GB"})
    return names


def calling_code(text: str) -> int | None:
    """The country calling code a message gives: "+34", "0044", a bare "34", or a country
    named in Spanish or English ("es de España", "UK")."""
    match = _CALLING_CODE.search(text)
    if match:
        code = int(match.group(1) or match.group(2))
        return code if phonenumbers.region_code_for_country_code(code) != "ZZ" else None
    folded = fold(text)
    for name, region in sorted(_countries().items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            return phonenumbers.country_code_for_region(region)
    return None


def complete_phone(digits: str, code: int) -> str | None:
    """National ``digits`` with the calling ``code`` in front, in E.164, when the number fits."""
    region = phonenumbers.region_code_for_country_code(code)
    try:
        # Read as a national number of that country, so its trunk prefix ("0" in the UK) goes.
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    return e164(number) if number.country_code == code else None


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
    espera esperame esperad momento momentito wait hold sec moment second listo done acuerdo dale
    adultos adulto adults adult ninos nino ninas nina kids kid children child personas persona people person
    noches noche nights night habitaciones habitacion rooms room dias dia days day semanas weeks huespedes guests
    camas beds euros dolares dollars
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
        if text[match.end() : match.end() + 1].isdigit():
            # "me llamo Ana2": a name has no digits; the guest is asked again, not half heard.
            return None
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


# Words around contact details that are not the name: labels, fillers, greetings, yes.
_FILLERS = frozenset(
    """
    correo electronico email e-mail mail tel tlf tfno telefono movil celular cel whatsapp wasap phone mobile cell
    number numero nombre name names nombres apellido apellidos surname full completo me llamo call reach text
    llamame escribeme contactame contact contacto datos details mis my mi our nuestro es is son are its it's
    aqui here tienes van ok okay vale si yes yeah yep sure claro bueno pues hola hello hi hey buenas buenos
    dias tardes noches good morning afternoon evening gracias thanks thank you please porfa favor sorry perdon
    perdona oh ah and y e the el on at al en a to para for of de under
    """.split()
)
_SEGMENTS = re.compile(r"[,;:\n|()\[\]<>]+|\s[-–—]+\s|\s[-–—]+$|^[-–—]+\s")
_TOKEN = re.compile(r"\S+")


def _residue(text: str) -> list[str]:
    """The parts of ``text`` left once e-mails, phones and labels are taken out, in order."""
    text = _without_emails(text)
    text = PHONE_CANDIDATE.sub(" , ", text)
    text = re.sub(r"\+\s?\d[\d\s().\-]*\d", " , ", text)
    parts: list[str] = []
    for segment in _SEGMENTS.split(text):
        words = [w.strip('.!?¡¿"“”«»*') for w in _TOKEN.findall(segment)]
        words = [w for w in words if w]
        while words and fold(words[0]) in _FILLERS:
            words.pop(0)
        while words and fold(words[-1]) in _FILLERS:
            words.pop()
        if words:
            parts.append(" ".join(words))
    return parts


def _name_words(words: list[str]) -> bool:
    proper = [w for w in words if fold(w) not in _PARTICLES]
    if not 1 <= len(proper) <= 4 or fold(words[0]) in _PARTICLES:
        return False
    return all(
        _NAME_WORD.fullmatch(w) is not None
        and (fold(w) in _PARTICLES or (_looks_like_name(w) and fold(w) not in _STOP))
        for w in words
    )


def bare_name(text: str) -> str | None:
    """A name given as a bare answer, among or without contact details: "Ana López",
    "Ana López ana.l90@gmail.com 612345678", "email: ana@x.com, nombre: Ana" — title-cased.

    What is left once e-mails, phones and labels are out must be one part of letters only
    (any script, apostrophes, hyphens, particles like "de la"), one to four words besides the
    particles; anything else ("quiero reservar", "ok", "Ana 2") is no name and gives None."""
    parts = _residue(text)
    if len(parts) != 1:
        return None
    words = parts[0].split()
    if not _name_words(words):
        return None
    return " ".join(w.lower() if i and fold(w) in _PARTICLES else _title(w) for i, w in enumerate(words))


def name_with_digits(text: str) -> bool:
    """The message gives a name with digits in it ("Ana López 2", "j0hn smith", "me llamo Ana2").

    Digits of e-mails and phones do not count, nor do dates ("del 12 al 15"): a word of the
    name must be there, mixed with digits or beside a number."""
    for part in _residue(text):
        words = part.split()
        if len(words) > 5 or not all(re.fullmatch(r"\d+|[^\W_][\w'’\-]*", w) for w in words):
            continue
        mixed = [w for w in words if re.search(r"\d", w) and re.search(r"[^\W\d_]", w)]
        letters = [re.sub(r"\d", "", w) for w in words if not w.isdigit()]
        beside_number = any(w.isdigit() for w in words) and any(len(w) >= 3 for w in letters)
        if (mixed or beside_number) and letters and _name_words(letters):
            return True
    return False
