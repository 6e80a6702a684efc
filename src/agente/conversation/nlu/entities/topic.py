"""Which FAQ topic a guest asks about, by keyword rules over the normalised message.

Each topic has weighted patterns; the topic with the highest total wins, ties going to the one
mentioned first, and nothing under ``_MIN_SCORE`` is returned. Typos of the keywords are
repaired first ("desayno", "aparcamento", "cancelation").

Two topics need care:

* check_in_out is asked for only with a time ("what time is check-in", "late checkout",
  "a qué hora puedo entrar"); "check in el 12" gives dates, not a question.
* cancellation_policy is a question about the terms ("¿puedo cancelar gratis?", "refund",
  "what is your cancellation policy"); "quiero cancelar mi reserva" is an action and gives
  no topic.
"""

from __future__ import annotations

import functools
import re

from agente.conversation.nlu.entities.text import Speller, fold, normalise

__all__ = ["TOPIC_RULES", "extract_topic", "extract_topics"]

_MIN_SCORE = 0.5
_SECOND_MIN = 1.0

_TIME_WORDS = (
    r"hora|horas|horario|time|times|when|cuando|early|late|temprano|tarde|antes|despues|pronto|until|"
    r"earliest|latest|tardio|tardia|anticipado|anticipada|\d{1,2}\s*(?:am|pm|h)|\d{1,2}:\d{2}"
)

TOPIC_RULES: dict[str, tuple[tuple[str, float], ...]] = {
    "check_in_out": (
        (rf"\b(?:checkin|checkout)\b.*\b(?:{_TIME_WORDS})\b", 2.0),
        (rf"\b(?:{_TIME_WORDS})\b.*\b(?:checkin|checkout)\b", 2.0),
        (r"\b(?:checkin|checkout)\s*\?", 1.0),
        (
            r"\ba\s+(?:que|partir\s+de\s+que)\s+hora\s+(?:\w+\s+){0,3}(?:entrar|llegar|salir|dejar|irnos|irme|"
            r"entrada|salida|ocupar|tener\s+la\s+habitacion|la\s+habitacion)",
            2.0,
        ),
        (r"\b(?:hora|horario)s?\s+de\s+(?:entrada|salida|llegada|checkin|checkout)\b", 2.0),
        (r"\b(?:entrada|salida|llegada)\s+(?:anticipada|tardia|temprana|tarde)\b", 2.0),
        (r"\b(?:llegar|entrar)\s+(?:tarde|temprano|pronto|antes)\b|\bsalir\s+(?:tarde|mas\s+tarde)\b", 1.5),
        (r"\b(?:late|early)\s+(?:checkin|checkout|arrival|departure)\b", 2.0),
        (
            r"\b(?:what\s+time|when|how\s+early|how\s+late|until\s+what\s+time)\b.{0,30}\b(?:arrive|check|leave|"
            r"vacate|get\s+(?:the\s+)?(?:room|keys)|be\s+out|get\s+in|come\s+in)",
            2.0,
        ),
        (
            r"\b(?:cuando|hasta\s+que\s+hora|desde\s+que\s+hora)\b.{0,30}\b(?:entrar|llegar|salir|dejar\s+la\s+"
            r"habitacion|irnos|irme|quedarme|quedarnos|ocupar|recoger\s+las\s+llaves)",
            2.0,
        ),
        (r"\b(?:dejar|guardar)\b.*\b(?:maletas|equipaje)\b|\bconsigna\b|\b(?:luggage|baggage)\b", 1.5),
    ),
    "parking": (
        (
            r"\b(?:aparcamientos?|aparcar|aparco|aparcamos|parking|parkings|parqueadero|parqueo|parquear|garaje|"
            r"garage|estacionamiento|estacionar|estaciono|park)\b",
            1.0,
        ),
        (r"\b(?:coche|carro|car|cars|auto|vehiculo|vehicle|moto|motorbike)\b", 0.75),
    ),
    "wifi": (
        (r"\b(?:wifi|internet|wlan|conexion|conectarme|conectarse|network)\b", 1.0),
        (r"\b(?:contrasena|password|clave)\b", 0.5),
    ),
    "pets": (
        (
            r"\b(?:mascotas?|perros?|perritos?|perritas?|perras?|gatos?|gatitos?|animales|animal|pets?|dogs?|"
            r"puppy|puppies|cats?|kitten|pet\s*friendly|petfriendly)\b",
            1.0,
        ),
    ),
    "breakfast": (
        (
            r"\b(?:desayunos?|desayunar|desayunamos|breakfasts?|brunch|media\s+pension|pension\s+completa|"
            r"half\s+board|full\s+board|buffet|bufet)\b",
            1.0,
        ),
    ),
    "location": (
        (
            r"\b(?:direccion|ubicacion|ubicados?|situados?|localizacion|address|location|located|directions|"
            r"indicaciones|mapa|map|google\s+maps|como\s+(?:llego|llegar|se\s+llega|llegamos|ir)|how\s+(?:do|can)\s+"
            r"(?:i|we)\s+get|how\s+to\s+get|get\s+there|get\s+to\s+the\s+hotel|aeropuerto|airport|estacion|"
            r"station|trains?|tren|metro|subway|taxi|uber|autobus|bus|shuttle|traslado|lejos|far|cerca|near|"
            r"nearby|centro|downtown|city\s+cent(?:er|re)|playa|beach|distancia|distance|walking)\b",
            1.0,
        ),
        # Weaker than any other topic's keyword: "¿dónde está el gimnasio?" asks about the gym.
        (
            r"\b(?:donde\s+(?:esta|estan|estais|queda|quedan)|where\s+(?:are\s+you|is\s+(?:the\s+hotel|it|"
            r"your\s+hotel)))\b",
            0.6,
        ),
    ),
    "amenities": (
        (
            r"\b(?:piscinas?|pileta|alberca|gimnasios?|gym|spa|sauna|jacuzzi|hidromasaje|pools?|swimming|"
            r"aire\s+acondicionado|el\s+aire|air\s+con(?:ditioning|ditioner)?|a/c|climatizacion|calefaccion|heating|"
            r"heater|toallas?|towels?|albornoz|bathrobes?|secador|hair\s*dryer|minibar|mini\s+bar|nevera|"
            r"frigorifico|fridge|refrigerator|caja\s+fuerte|safe\s+box|in-room\s+safe|television|tele|tv|"
            r"ascensor|elevator|lift|restaurantes?|restaurants?|bar|room\s+service|servicio\s+de\s+habitaciones|"
            r"lavanderia|laundry|plancha|iron|cuna|crib|cot|terraza|balcon|balcony|banera|bathtub|ducha|shower|"
            r"instalaciones|facilities|amenities|accesible|accessible|wheelchair|silla\s+de\s+ruedas|hervidor|"
            r"kettle|cafetera|coffee\s+maker|sabanas|sheets|almohadas?|pillows?|tumbonas|sun\s*beds?|"
            r"bicicletas|bikes|champu|shampoo)\b",
            1.0,
        ),
    ),
    # Paying is said about everything ("¿hay que pagar el parking?"): the verb alone is weaker
    # than any other topic's keyword; the means of payment are not.
    "payment": (
        (r"\b(?:pag(?:ar|o|os|amos|aria|ado|ada|ue|uen|ais|a)|abonar|pay|paying|payment|payments|paid)\b", 0.6),
        (
            r"\b(?:tarjetas?|cards?|"
            r"credito|credit|debito|debit|efectivo|metalico|cash|deposito|deposit|fianza|senal|prepago|prepay|"
            r"prepayment|por\s+adelantado|upfront|in\s+advance|bizum|paypal|visa|mastercard|amex|american\s+express|"
            r"apple\s+pay|google\s+pay|cobr(?:ar|an|ais|o|ado|ada|aron|asteis|amos)|cargos?|charges?|charged|"
            r"factura|invoice|receipt|recibo|iva|vat|tasa\s+turistica|tourist\s+tax|city\s+tax|divisa|currency)\b",
            1.0,
        ),
        (r"\b(?:bank\s+transfer|transferencia(?:\s+bancaria)?|wire\s+transfer)\b", 2.0),
    ),
    "cancellation_policy": (
        (
            r"\b(?:politica\s+de\s+cancelacion|condiciones\s+de\s+cancelacion|cancel+ation\s+(?:policy|policies|"
            r"terms|conditions|fees?|charges?|deadline)|cancel\s+policy)\b",
            3.0,
        ),
        (
            r"\b(?:cancelacion\s+(?:gratuita|gratis|sin\s+(?:coste|costo|cargo|gastos))|free\s+cancel+ation|"
            r"gastos\s+de\s+cancelacion|penalizacion|penalty|penalties)\b",
            3.0,
        ),
        (
            r"\bcancel\w*\b.{0,30}\b(?:gratis|gratuitamente|sin\s+(?:coste|costo|cargo|gastos|pagar|penalizacion)|"
            r"for\s+free|free|without\s+(?:a\s+)?(?:fee|charge|penalty|paying))\b",
            3.0,
        ),
        (
            r"\b(?:reembolsos?|reembolsable|reembolsar|devolucion|devuelven|devolveis|refunds?|refundable|"
            r"non[\s\-]?refundable|money\s+back)\b",
            2.5,
        ),
        # Conditional only: "sí, quiero cancelar" (yes) is the action.
        (
            r"\bsi\s+(?:al\s+final\s+)?(?:cancel(?:o|amos|ara|aramos|ase)|(?:tengo|tenemos|tuviera|tuvieramos|hay)\s+"
            r"que\s+cancelar|(?:necesito|necesitamos|decido|decidimos)\s+cancelar)\b|\bif\s+(?:i|we)\s+(?:\w+\s+){0,2}"
            r"cancel",
            2.5,
        ),
        (r"\b(?:hasta\s+cuando|antelacion|until\s+when|how\s+late|in\s+advance|by\s+when)\b.{0,40}\bcancel", 2.5),
        (
            r"\b(?:se\s+puede|puedo|podemos|can\s+(?:i|we)|is\s+it\s+possible\s+to)\s+cancel(?:ar|arla|arlo)?\b"
            r"(?!\s+(?:mi|la|nuestra|my|our|the|this)\s+(?:reserva|booking|reservation))",
            1.5,
        ),
    ),
    "contact": (
        (
            r"\b(?:contacto|contactar|contactaros|contactarles|contactarte|contactarlos|contact|contacting|"
            r"get\s+in\s+touch|reach\s+(?:you|the\s+hotel|reception))\b",
            2.0,
        ),
        (
            r"\b(?:telefono|tlf|numero(?:\s+de\s+telefono)?|phone(?:\s+number)?|number|email|e-mail|mail|"
            r"correo(?:\s+electronico)?|whatsapp)\s+(?:del\s+hotel|de\s+recepcion|de\s+ustedes|de\s+vosotros|"
            r"of\s+the\s+hotel|of\s+reception|for\s+(?:the\s+)?(?:hotel|reception))\b",
            2.0,
        ),
        (
            r"\b(?:vuestro|your|the\s+hotel'?s?|hotel|reception'?s?)\s+(?:telefono|numero|phone|phone\s+number|"
            r"number|email|e-mail|correo|mail|whatsapp)\b",
            2.0,
        ),
        (
            r"\b(?:como|how)\s+(?:puedo|podemos|can\s+i|can\s+we|do\s+i)\s+(?:llamar|llamaros|escribir|call|email|write)\b",
            1.5,
        ),
    ),
}

_COMPILED: tuple[tuple[str, re.Pattern[str], float], ...] = tuple(
    (topic, re.compile(pattern), weight) for topic, rules in TOPIC_RULES.items() for pattern, weight in rules
)

_SPELLER = Speller(
    """
    desayuno desayunar breakfast aparcamiento estacionamiento parking garaje garage mascotas mascota piscina
    gimnasio internet contrasena password direccion ubicacion aeropuerto airport address location located
    directions tarjeta efectivo payment deposit deposito reembolso refund cancelacion cancellation politica policy
    telefono contacto contact checkin checkout toallas towels ascensor elevator lavanderia laundry secador
    calefaccion heating acondicionado conditioning restaurante restaurant factura invoice animales
    """.split(),
    keep=("police", "policia", "gastos", "pagina", "politico", "cancelar", "cancelo", "cancela", "perros"),
)


def _scores(normalised: str) -> tuple[dict[str, float], dict[str, int]]:
    scores: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    for topic, pattern, weight in _COMPILED:
        match = pattern.search(normalised)
        if match:
            scores[topic] = scores.get(topic, 0.0) + weight
            first_seen[topic] = min(first_seen.get(topic, match.start()), match.start())
    return scores, first_seen


# The parser asks several questions of one message; it is normalised once.
@functools.lru_cache(maxsize=32)
def _normalised(text: str, language: str) -> str:
    return _SPELLER.correct(normalise(text, language))


def extract_topic(text: str, language: str) -> str | None:
    """The FAQ topic of ``text`` (one of ``types.TOPICS``) or None when no topic is asked about."""
    return _read(text, language)[0]


def extract_topics(text: str, language: str) -> tuple[str, ...]:
    """Every FAQ topic ``text`` asks about, in the order the guest mentions them.

    "What time is breakfast and when is check-out?" asks two things. Besides the main topic
    (:func:`extract_topic`), a topic counts only with a full keyword (``_SECOND_MIN``): the
    weak hints ("pagar" in "¿hay que pagar el parking?", "dónde está" in "¿dónde está el
    gimnasio?") qualify another topic's question, they are not a question of their own."""
    return _read(text, language)[1]


@functools.lru_cache(maxsize=32)
def _read(text: str, language: str) -> tuple[str | None, tuple[str, ...]]:
    scores, first_seen = _scores(_normalised(text, language))
    if not scores:
        return None, ()
    best = min(scores, key=lambda topic: (-scores[topic], first_seen[topic]))
    if scores[best] < _MIN_SCORE:
        return None, ()
    asked = [topic for topic, score in scores.items() if topic == best or score >= _SECOND_MIN]
    return best, tuple(sorted(asked, key=lambda topic: first_seen[topic]))


# --- the thing asked about, within a topic that lists many ------------------------------------

# "Do you have a spa?" is an amenities question, but the amenities answer lists what the hotel
# has; when the spa is not in it, the honest answer is "I don't know about the spa", not the
# list. Each item is a pattern over the normalised text (the guest's words, and the words
# that show an answer covers it); the topic's answer covers the item when the pattern
# matches the answer in either language or its details.
TOPIC_ITEMS: dict[str, tuple[str, str]] = {
    "pool": ("amenities", r"piscinas?|pileta|alberca|pools?|swimming"),
    "gym": ("amenities", r"gimnasios?|gym|fitness"),
    "spa": ("amenities", r"spa|wellness|masajes?|massages?"),
    "sauna": ("amenities", r"sauna|steam\s+room|bano\s+turco"),
    "jacuzzi": ("amenities", r"jacuzzi|hidromasaje|hot\s+tub|whirlpool"),
    "air_conditioning": (
        "amenities",
        r"aire\s+acondicionado|el\s+aire|air\s+con(?:ditioning|ditioner)?|a/c|climatizacion|air\s*conditioned",
    ),
    "heating": ("amenities", r"calefaccion|heating|heater"),
    "restaurant": ("amenities", r"restaurantes?|restaurants?"),
    "bar": ("amenities", r"bar|bares|bars"),
    "room_service": ("amenities", r"room\s+service|servicio\s+de\s+habitaciones"),
    "laundry": ("amenities", r"lavanderia|laundry|plancha|iron|ironing"),
    "crib": ("amenities", r"cunas?|cribs?|cots?"),
    "towels": ("amenities", r"toallas?|towels?|albornoz|albornoces|bathrobes?"),
    "hairdryer": ("amenities", r"secador(?:\s+de\s+pelo)?|hair\s*dryer"),
    "fridge": ("amenities", r"minibar|mini\s+bar|nevera|frigorifico|fridge|refrigerator"),
    "safe": ("amenities", r"caja\s+fuerte|safe\s+box|in-room\s+safe|safe"),
    "tv": ("amenities", r"television|tele|tv"),
    "elevator": ("amenities", r"ascensor|elevator|lift"),
    "balcony": ("amenities", r"terraza|balcon|balcony|terrace"),
    "bathtub": ("amenities", r"banera|bathtub|bath\s+tub"),
    "accessibility": ("amenities", r"accesible|accessible|wheelchair|silla\s+de\s+ruedas|adaptada|adapted"),
    "kettle": ("amenities", r"hervidor|kettle|cafetera|coffee\s+maker|coffee\s+machine|nespresso"),
    "bikes": ("amenities", r"bicicletas?|bikes?|bicycles?"),
    "toiletries": ("amenities", r"champu|shampoo|gel|toiletries|amenities\s+kit"),
}

_ITEMS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (item, topic, re.compile(rf"\b(?:{pattern})\b")) for item, (topic, pattern) in TOPIC_ITEMS.items()
)


def extract_topic_items(text: str, language: str) -> tuple[str, ...]:
    """The particular things asked about within the topics that list many ("spa", "pool")."""
    normalised = _normalised(text, language)
    return tuple(item for item, _, pattern in _ITEMS if pattern.search(normalised))


def covers(answer: str, item: str) -> bool:
    """Whether ``answer`` (a fact's text, or its details as text) speaks of ``item``."""
    pattern = next(p for name, _, p in _ITEMS if name == item)
    return pattern.search(fold(answer).replace("_", " ")) is not None


def item_topic(item: str) -> str:
    return TOPIC_ITEMS[item][0]


# --- questions the hotel's facts do not answer ------------------------------------------------

# Asked often, answered by no fact: the agent says so instead of reciting the nearest topic.
# "weather" (forecasts), "nearby" (places around the hotel that are not the hotel's own),
# "arrange" (booking things the agent cannot book: taxis, tours, tables, tickets).
_PLACES = (
    r"restaurantes?|restaurants?|sitios?\s+para\s+comer|places?\s+to\s+eat|somewhere\s+to\s+eat|bares|bars|pubs?|"
    r"discotecas?|clubs?|nightlife|vida\s+nocturna|tiendas?|shops?|shopping|supermercados?|supermarkets?|"
    r"farmacias?|pharmac(?:y|ies)|museos?|museums?|cosas\s+que\s+(?:hacer|ver)|"
    r"que\s+(?:(?:se\s+puede|podemos|puedo)\s+)?(?:hacer|ver|visitar)|"
    r"things\s+to\s+(?:do|see)|what\s+(?:is\s+there\s+to|can\s+(?:we|i)|could\s+(?:we|i)|to)\s+(?:do|see|visit)|"
    r"que\s+hay\s+(?:para|que)\s+(?:hacer|ver)|sightseeing|attractions?|atracciones|"
    r"lugares\s+(?:para\s+visitar|de\s+interes)|places\s+to\s+visit|cafeterias?|cafes?|coffee\s+shops?"
)
_AROUND = (
    r"cerca|cercanos?|cercanas?|alrededor(?:es)?|por\s+(?:la|aqui|alli|ahi)\s*(?:zona)?|en\s+la\s+zona|"
    r"de\s+la\s+zona|nearby|near|around|close\s+(?:by|to)|in\s+the\s+area|walking\s+distance|"
    r"in\s+(?:town|the\s+city)|en\s+la\s+ciudad|recomiend\w*|recomendar\w*|recomendacion\w*|recommend\w*|"
    r"suggest\w*|sugier\w*"
)
_OFF_TOPIC: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "weather",
        re.compile(
            r"\b(?:weather|forecast|rain|raining|rainy|temperature|temperatura|pronostico|clima|llover|lluvia|"
            r"llueve|lloviendo|(?:que|el)\s+tiempo\s+(?:suele\s+|va\s+a\s+|vamos\s+a\s+)?(?:hace|hara|hacer|hay|"
            r"habra|tener|tendremos)|"
            r"(?:hara|hace|va\s+a\s+hacer)\s+(?:buen|mal)\s+tiempo|(?:hara|hace|va\s+a\s+hacer)\s+(?:frio|calor|sol)|"
            r"(?:going\s+to|gonna|will\s+it)\s+(?:be\s+)?(?:cold|hot|warm|sunny|chilly)|"
            r"is\s+it\s+(?:usually\s+)?(?:cold|hot|warm|sunny|chilly)\s+(?:in|there|outside|at\s+this\s+time)|"
            r"how\s+(?:cold|hot|warm)\s+is\s+it)\b"
        ),
    ),
    (
        "arrange",
        re.compile(
            r"\b(?:book|order|call|get|arrange|reserve|organi[sz]e|reservar(?:me|nos)?|pedir(?:me|nos)?|"
            r"llamar(?:me|nos)?|conseguir(?:me|nos)?|organizar(?:me|nos)?|gestionar(?:me|nos)?|"
            r"(?:me|nos)\s+(?:pedis|pides|reservais|reservas|llamais|llamas|conseguis|consigues|gestionais|"
            r"gestionas|organizais|organizas))\s+(?:me\s+|us\s+)?"
            r"(?:a\s+|an\s+|un\s+|una\s+|unos\s+|unas\s+|the\s+|el\s+|la\s+)?(?:taxi|taxis|cab|uber|cabify|"
            r"car\s+rental|rental\s+car|coche\s+de\s+alquiler|tour|tours|excursion|excursiones|tickets?|"
            r"entradas?|mesa|table)\b"
        ),
    ),
    ("nearby", re.compile(rf"\b(?:{_PLACES})\b.{{0,40}}\b(?:{_AROUND})\b|\b(?:{_AROUND})\b.{{0,40}}\b(?:{_PLACES})\b")),
)


def extract_off_topic(text: str, language: str) -> str | None:
    """What the guest asks that no hotel fact answers ("weather", "nearby", "arrange"), or None."""
    normalised = _normalised(text, language)
    return next((name for name, pattern in _OFF_TOPIC if pattern.search(normalised)), None)


# --- the total ---------------------------------------------------------------------------------

_PRICE_WORDS = (
    r"how\s+much|cuanto|cuantos|price|prices|precio|precios|cost|costs|coste|costo|importe|amount|"
    r"sale|saldria|cuesta|costaria|cuestan|pagar|pagaria|pagamos|pay|charge|cobrais|cobran|seria|sera"
)
_WHOLE = (
    r"total|totales|altogether|all\s+together|all\s+in|in\s+all|overall|grand|everything|todo|toda|todos|"
    r"whole|entera|entero|completa|completo|junto|final"
)
_STRONG_WHOLE = re.compile(r"\b(?:total|totales|altogether|all\s+together|all\s+in|in\s+all|grand\s+total|overall)\b")
_THE_TOTAL = re.compile(r"\b(?:the|el|my|mi|our|nuestro)\s+(?:(?:precio|importe|coste|costo|price|cost)\s+)?total\b")
_PRICE = re.compile(rf"\b(?:{_PRICE_WORDS})\b")
_ASKS_WHOLE = re.compile(
    rf"\b(?:{_PRICE_WORDS})\b.{{0,30}}\b(?:{_WHOLE})\b|\b(?:{_WHOLE})\b.{{0,30}}\b(?:{_PRICE_WORDS})\b"
)
_BARE_PRICE = re.compile(
    r"^(?:(?:and|so|ok|y|vale|bueno|entonces|pues)\s+)*(?:how\s+much|cuanto|price|precio)"
    r"(?:\s+(?:is|was|will|would|does|es|seria|sera|sale|saldria|cuesta|costaria|me|nos|it|that|this|be|cost|"
    r"come\s+to|el|la|eso|esto|then|entonces|al\s+final|finally))*\s*[?!.]*$"
)


def asks_total(text: str, language: str) -> bool:
    """Whether the guest asks what the stay costs altogether ("how much in total?", "¿cuánto sale
    todo?", "total price pls", "how much is it?"). A price question about a topic ("how much
    is parking?") asks the topic, unless it says "total"."""
    normalised = _normalised(text, language)
    words = len(re.findall(r"\w+", normalised))
    if _THE_TOTAL.search(normalised):
        return True
    if _STRONG_WHOLE.search(normalised) and (_PRICE.search(normalised) or words <= 5):
        return True
    if extract_topic(text, language) is not None:
        return False
    return bool(_ASKS_WHOLE.search(normalised) or _BARE_PRICE.match(normalised))
