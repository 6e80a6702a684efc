from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.topic import TOPIC_RULES, extract_topic
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
