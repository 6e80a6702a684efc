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

import re

from agente.conversation.nlu.entities.text import Speller, normalise

__all__ = ["TOPIC_RULES", "extract_topic"]

_MIN_SCORE = 0.5

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


def extract_topic(text: str, language: str) -> str | None:
    """The FAQ topic of ``text`` (one of ``types.TOPICS``) or None when no topic is asked about."""
    normalised = _SPELLER.correct(normalise(text, language))
    scores: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    for topic, pattern, weight in _COMPILED:
        match = pattern.search(normalised)
        if match:
            scores[topic] = scores.get(topic, 0.0) + weight
            first_seen[topic] = min(first_seen.get(topic, match.start()), match.start())
    if not scores:
        return None
    best = min(scores, key=lambda topic: (-scores[topic], first_seen[topic]))
    return best if scores[best] >= _MIN_SCORE else None
