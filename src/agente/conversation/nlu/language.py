"""Which language a guest writes in: ``"es"`` or ``"en"``, offline and deterministic.

Each word of the message adds evidence to one side:

- words only one of the two languages uses (function words, chat words such as ``q``,
  ``xfa``, ``finde``, ``plz``, ``u``, greetings and hotel vocabulary), accents stripped so
  ``habitacion`` counts as ``habitación``; the most telling ones weigh more;
- for a word in neither list, its shape: ``-cion``, ``-mente``, ``-amos`` lean Spanish,
  ``-ing``, ``-tion``, ``-ly``, ``th`` and ``w`` lean English;
- characters: ``¿`` ``¡`` and ``ñ`` are Spanish; accented vowels lean Spanish only a little,
  because names carry them too (``Ana Pérez``); English contractions (``I'm``, ``don't``).

Words both languages use (``no``, ``ok``, ``hotel``, ``wifi``, ``parking``, ``suite``,
``check``, ``email``, ``me``, ``a``), numbers, emails, URLs and emoji weigh nothing.

The confidence is ``1 - exp(-margin / 1.5)`` where ``margin`` is the difference between
the two sides: 0 when there is no evidence or it is tied, about 0.63 for one strong word.
:data:`CONFIDENT` (0.5) is where the dialogue should let a message change the session's
language: "hola" or "thanks" does, "ok", "👍", "2", "Ana Pérez" or "ana@mail.com" does not.

Mixed messages go to the side with more evidence; Spanish function words weigh more than
English nouns, so "hi, quiero una room" is Spanish (guests who write Spanish borrow
English nouns far more often than the other way round).

With no evidence the answer is :data:`DEFAULT_LANGUAGE`, ``"es"``: the hotel's market
speaks Spanish, and a guest who writes English gives it away in the first real sentence.
"""

from __future__ import annotations

import math
import re

DEFAULT_LANGUAGE = "es"
CONFIDENT = 0.5
_SCALE = 1.5

_STRONG = 1.5
_NORMAL = 1.0

_STRIP_ACCENTS = str.maketrans("áéíóúüàèìòùñ", "aeiouuaeioun")


def _words(text: str) -> frozenset[str]:
    return frozenset(word.translate(_STRIP_ACCENTS) for word in text.split())


_ES_STRONG = _words(
    """
    que q el los las del una unos unas es esta estan estoy estamos hay para pa por con
    quiero queremos quisiera quisieramos necesito necesitamos tienen tienes tiene tengo
    hola buenas buenos gracias adios chao chau hasta si vale porfa porfavor xfa xfavor
    habitacion habitaciones reserva reservar reservacion reservas noches dias semana finde
    cuanto cuanta cuantos cuantas cual cuales donde cuando como puedo puede pueden podria
    podemos hacer mi mis su sus nuestra nuestro pero tambien tb tmb muy mas ahora hoy manana
    desayuno llegada salida entrada somos soy
    """
)

_ES_NORMAL = _words(
    """
    la de en y o un se lo le les nos al ya aun desde entre sobre sin ese eso esto este
    estas estos esa esas aqui alli ahi algo nada todo toda todos todas otro otra otros bien
    mal bueno buena claro dale listo perfecto genial oye mira pues entonces tal cosa cosas
    quien quienes porque xq pq porq hace hacen tenemos tendria tendrian habra
    fue fueron sera estaba estar ser tener poder ir voy vamos vengo venimos llegamos
    llego salimos salgo quedan queda quedar cambiar cambio cancelar cancelacion anular
    precio precios cuesta cuestan tarifa tarifas pagar pago tarjeta efectivo
    factura aparcamiento estacionamiento cochera coche carro auto mascota mascotas perro
    perrito gato piscina gimnasio toallas cama camas baño bano aire acondicionado cerca
    lejos playa aeropuerto centro calle ciudad direccion ubicacion ubicados llegar horario
    hora horas temprano tarde tardes noche persona personas adultos adulto niños ninos
    nino niña nina bebe bebes doble dobles sencilla individual matrimonial cuadruple
    correo telefono nombre apellido llamo numero fecha fechas dia mes año ano sabado
    domingo lunes martes miercoles jueves viernes enero febrero marzo abril mayo junio
    julio agosto septiembre octubre noviembre diciembre recepcion recepcionista humano
    alguien ayuda ayudar hablar llamar queja reclamo reclamacion encargado gerente
    disponible disponibles disponibilidad libre libres ocupado confirmar confirmada
    confirmado confirmacion estado recibi recibido mande enviar envian mandar
    incluye incluido incluida gratis cobran cobra buen dia tiempo disculpa
    disculpe perdon oiga usted ustedes vosotros hotelito chicos chicas amigo amiga
    jaja jajaja nop venga mejor peor vez quiere quieren puedes podrias seria
    """
)

_EN_STRONG = _words(
    """
    the you your and is are i im i'm we our my it it's its this that what when where
    which who how why can could would will should have has need want wanna gonna please
    pls plz thanks thank thx ty hello hi hey bye goodbye yes yeah yep nope sure
    """
)

_EN_NORMAL = _words(
    """
    an be been was were do does did dont don't doesnt didnt cant can't wont isnt arent
    there here these those they them their he she his her us for from with without to of
    in on at by about into just only also too some any much many more less not but or if
    so then than get got go going make let know tell talk speak someone somebody person
    human manager staff help guys like would've u ur r y'all great good fine cool
    awesome perfect nice well alright right correct wrong change modify move extend
    shorten reserve price prices cost costs rate rates pay paid payment card cash invoice
    pets pet dog dogs cat cats pool towels bed beds airport beach downtown near far
    street city address location arrive arrival leave departure early late morning
    evening afternoon today yesterday day days week month year people adults adult kids
    kid children child baby babies double single twin queen guest guests
    name surname last first phone number date dates monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september
    october november december front desk reception receptionist complain complaint
    refund free included include includes charge charges confirm confirmed confirmation
    status received sent send still yet already what's where's how's there's
    whats hows wheres theres lol haha omg btw idk hmm sorry excuse mine stay staying car
    park parked room rooms booking reservation book cancel available availability tonight
    tomorrow weekend nights night breakfast
    """
)

_ES_SUFFIXES = (("cion", 0.7), ("mente", 0.7), ("amos", 0.6), ("emos", 0.6), ("imos", 0.6), ("ado", 0.4), ("ido", 0.4))
_EN_SUFFIXES = (("ing", 0.7), ("tion", 0.7), ("ness", 0.7), ("ly", 0.5), ("ed", 0.3))
_NEUTRAL = _words(
    """
    no ok okay hotel wifi parking suite spa check email mail me a e x triple
    bar gym whatsapp online internet tv minibar jacuzzi sauna pm am vip premium standard
    deluxe hostel resort king checkin checkout k
    """
)

_IGNORED = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|@\w+")
# Whole words only: "mp7q3xa9" (a booking reference) holds no "q" to count.
_WORD = re.compile(r"(?<!\w)[a-zñáéíóúüàèìòù]+(?:'[a-z]+)?(?!\w)")
_CHECK_IN_OUT = re.compile(r"check[\s-]?(in|out)\b")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_ACCENTED = re.compile(r"[áéíóú]")
_CONTRACTION = re.compile(r"[a-z](?:'s|n't|'m|'re|'ll|'ve|'d)\b")


def _word_evidence(word: str) -> tuple[float, float]:
    """(spanish, english) evidence of one lower-case word; "holaaa" counts as "hola"."""
    if _ELONGATED.search(word):
        single, double = _ELONGATED.sub(r"\1", word), _ELONGATED.sub(r"\1\1", word)
        word = double if _is_listed(double) and not _is_listed(single) else single
    return _plain_word_evidence(word)


def _is_listed(word: str) -> bool:
    plain = word.translate(_STRIP_ACCENTS)
    return any(plain in words for words in (_ES_STRONG, _ES_NORMAL, _EN_STRONG, _EN_NORMAL, _NEUTRAL))


def _plain_word_evidence(word: str) -> tuple[float, float]:
    plain = word.translate(_STRIP_ACCENTS)
    if plain in _NEUTRAL:
        return 0.0, 0.0
    spanish = _STRONG if plain in _ES_STRONG else _NORMAL if plain in _ES_NORMAL else 0.0
    english = _STRONG if plain in _EN_STRONG else _NORMAL if plain in _EN_NORMAL else 0.0
    if spanish or english:
        return spanish, english
    if len(plain) < 4:
        return 0.0, 0.0
    for suffix, weight in _ES_SUFFIXES:
        if plain.endswith(suffix):
            return weight, 0.0
    for suffix, weight in _EN_SUFFIXES:
        if plain.endswith(suffix) and len(plain) > len(suffix) + 2:
            return 0.0, weight
    if "th" in plain or "w" in plain or "sh" in plain:
        return 0.0, 0.4
    return 0.0, 0.0


def _evidence(text: str) -> tuple[float, float]:
    lowered = _IGNORED.sub(" ", text.lower().replace("’", "'"))
    lowered = _CHECK_IN_OUT.sub(r"check\1", lowered)
    spanish = english = 0.0
    for word in _WORD.findall(lowered):
        es, en = _word_evidence(word)
        spanish += es
        english += en
    if "¿" in lowered or "¡" in lowered:
        spanish += _STRONG
    if "ñ" in lowered:
        spanish += _NORMAL
    spanish += min(1.0, 0.5 * len(_ACCENTED.findall(lowered)))
    if _CONTRACTION.search(lowered):
        english += _NORMAL
    return spanish, english


def detect_language_scored(text: str) -> tuple[str, float]:
    """The language ``text`` is written in and a confidence in ``[0, 1)``.

    Confidence 0 means no evidence at all ("ok", "👍", "2", an email); the language is then
    :data:`DEFAULT_LANGUAGE`. At or above :data:`CONFIDENT` the message is clear enough to
    switch a session's language.
    """
    spanish, english = _evidence(text)
    margin = spanish - english
    if margin == 0:
        return DEFAULT_LANGUAGE, 0.0
    confidence = 1.0 - math.exp(-abs(margin) / _SCALE)
    return ("es" if margin > 0 else "en"), confidence


def is_confident(confidence: float) -> bool:
    return confidence >= CONFIDENT


def detect_language(text: str, previous: str | None = None) -> str:
    """``"es"`` or ``"en"`` for ``text``, keeping ``previous`` unless the text is clear.

    ``previous`` is the session's language so far. When the message is not confident
    ("ok", "👍", "2", a name, an email, one English noun in a Spanish chat) the session keeps
    it; without a previous language the weaker evidence decides, and no evidence gives
    :data:`DEFAULT_LANGUAGE`.
    """
    language, confidence = detect_language_scored(text)
    if previous in ("es", "en") and not is_confident(confidence):
        return previous
    return language
