from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.topic import (
    TOPIC_RULES,
    asks_total,
    covers,
    extract_off_topic,
    extract_topic,
    extract_topic_items,
    extract_topics,
)
from agente.conversation.nlu.types import TOPICS


def test_every_topic_has_rules() -> None:
    assert set(TOPIC_RULES) == set(TOPICS)


@pytest.mark.parametrize(
    "language, text, topic",
    [
        ("es", "a que hora puedo entrar a la habitacion?", "check_in_out"),
        ("es", "a que hora hay que dejar la habitacion", "check_in_out"),
        ("es", "se puede hacer el checkout mas tarde?", "check_in_out"),
        ("es", "puedo dejar las maletas despues del checkout?", "check_in_out"),
        ("es", "teneis aparcamiento?", "parking"),
        ("es", "el parkin es de pago?", "parking"),
        ("es", "hay garaje o donde dejo el coche?", "parking"),
        ("es", "cual es la contraseña del wifi", "wifi"),
        ("es", "se admiten perros?", "pets"),
        ("es", "aceptais mascotas? tenemos un gato", "pets"),
        ("es", "el desayuno esta incluido?", "breakfast"),
        ("es", "el desayno a q hora es", "breakfast"),
        ("es", "como llego desde el aeropuerto", "location"),
        ("es", "dnd esta el hotel", "location"),
        ("es", "hay piscina?", "amenities"),
        ("es", "donde esta el gimnasio", "amenities"),
        ("es", "hay aire acondicionado en la habitacion?", "amenities"),
        ("es", "se puede pagar con tarjeta?", "payment"),
        ("es", "me cobraron dos veces", "payment"),
        ("es", "puedo cancelar gratis?", "cancellation_policy"),
        ("es", "cual es la politica de cancelacion", "cancellation_policy"),
        ("es", "si cancelo me devuelven el dinero?", "cancellation_policy"),
        ("es", "me dais el telefono del hotel?", "contact"),
        ("es", "cual es vuestro email", "contact"),
        ("en", "what time is check-in?", "check_in_out"),
        ("en", "late checkout possible?", "check_in_out"),
        ("en", "can we check in early", "check_in_out"),
        ("en", "where can i park my car", "parking"),
        ("en", "whats the wifi password", "wifi"),
        ("en", "are dogs allowed?", "pets"),
        ("en", "pet friendly?", "pets"),
        ("en", "does the price include breakfast", "breakfast"),
        ("en", "is breakfast incl?", "breakfast"),
        ("en", "how far is the airport", "location"),
        ("en", "where are you located", "location"),
        ("en", "do you have a pool or gym?", "amenities"),
        ("en", "can I pay cash?", "payment"),
        ("en", "can I pay by bank transfer", "payment"),
        ("en", "what is your cancelation policy", "cancellation_policy"),
        ("en", "can i get a refund if i cancel?", "cancellation_policy"),
        ("en", "can I cancel for free", "cancellation_policy"),
        ("en", "what's the hotel's phone number", "contact"),
        ("en", "how can I contact reception by email", "contact"),
    ],
)
def test_topic(language: str, text: str, topic: str) -> None:
    assert extract_topic(text, language) == topic


@pytest.mark.parametrize(
    "language, text",
    [
        ("es", "quiero cancelar mi reserva"),
        ("es", "cancela mi reserva por favor"),
        ("es", "quiero reservar del 12 al 15"),
        ("es", "check in el 12 y check out el 15"),
        ("es", "mi telefono es 612 345 678"),
        ("es", "hola"),
        ("en", "please cancel my booking AH7C3P9Q"),
        ("en", "check in on the 12th"),
        ("en", "how much is a room"),
        ("en", "thanks!"),
    ],
)
def test_no_topic(language: str, text: str) -> None:
    assert extract_topic(text, language) is None


@pytest.mark.parametrize(
    "language, text, topics",
    [
        ("en", "what time is breakfast and when is check-out?", {"breakfast", "check_in_out"}),
        ("es", "parking y wifi?", {"parking", "wifi"}),
        ("es", "a q hora es el desayuno y hasta q hora el checkout", {"breakfast", "check_in_out"}),
        ("en", "is breakfast included? also do u allow dogs", {"breakfast", "pets"}),
        ("es", "se admiten perros? y hay parking para el coche", {"pets", "parking"}),
        # A weak hint qualifies the other topic's question; it is not a question of its own.
        ("es", "hay que pagar el parking?", {"parking"}),
        ("es", "donde esta el gimnasio", {"amenities"}),
        ("en", "thanks!", set()),
    ],
)
def test_topics(language: str, text: str, topics: set[str]) -> None:
    assert set(extract_topics(text, language)) == topics


@pytest.mark.parametrize(
    "language, text, items",
    [
        ("en", "do you have a spa?", ("spa",)),
        ("es", "teneis piscina y gimnasio?", ("pool", "gym")),
        ("es", "hay cuna para el bebe", ("crib",)),
        ("en", "is there a safe in the room", ("safe",)),
        ("en", "what facilities do you have", ()),
    ],
)
def test_topic_items(language: str, text: str, items: tuple[str, ...]) -> None:
    assert extract_topic_items(text, language) == items


def test_an_answer_covers_what_it_names_in_either_language() -> None:
    answer = "El hotel cuenta con piscina exterior y aire acondicionado. The hotel has an outdoor pool."
    assert covers(answer, "pool") and covers(answer, "air_conditioning")
    assert not covers(answer, "spa") and not covers(answer, "gym")
    assert covers("amenities outdoor_pool gym_24h", "gym")


@pytest.mark.parametrize(
    "language, text, subject",
    [
        ("en", "whats the weather like in december", "weather"),
        ("es", "va a llover el finde?", "weather"),
        ("es", "que tiempo hace en miami en enero", "weather"),
        ("en", "any good restaurants nearby?", "nearby"),
        ("es", "recomiendas algun sitio para comer por la zona", "nearby"),
        ("es", "que se puede hacer por la zona", "nearby"),
        ("en", "hay una farmacia cerca?", "nearby"),
        ("en", "can you book me a taxi to the airport", "arrange"),
        ("es", "me pedis un taxi para el aeropuerto?", "arrange"),
        ("es", "nos reservais mesa para cenar?", "arrange"),
        ("en", "is there a restaurant in the hotel", None),
        ("en", "how do i get there by taxi", None),
        ("es", "cuanto tiempo se tarda desde el aeropuerto", None),
        ("en", "is the hotel near the beach", None),
    ],
)
def test_off_topic(language: str, text: str, subject: str | None) -> None:
    assert extract_off_topic(text, language) == subject


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "how much is it in total?"),
        ("es", "¿cuánto sale todo?"),
        ("en", "total price pls"),
        ("es", "y en total cuanto seria"),
        ("en", "how much altogether?"),
        ("en", "hmm whats the total again"),
        ("es", "el total?"),
        ("es", "cuanto seria todo junto"),
        ("en", "so how much will it come to"),
        ("es", "cuánto pago al final en total?"),
        ("en", "what does the whole stay cost"),
        ("es", "cuanto es?"),
    ],
)
def test_asks_total(language: str, text: str) -> None:
    assert asks_total(text, language)


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "how much is parking?"),
        ("es", "cuanto cuesta el desayuno"),
        ("en", "how much per night"),
        ("es", "quiero reservar todo el fin de semana"),
        ("es", "todo bien gracias"),
        ("en", "hello"),
    ],
)
def test_does_not_ask_total(language: str, text: str) -> None:
    assert not asks_total(text, language)
