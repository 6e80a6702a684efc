from __future__ import annotations

import time

import pytest

from agente.conversation.nlu.language import (
    CONFIDENT,
    DEFAULT_LANGUAGE,
    detect_language,
    detect_language_scored,
    is_confident,
)

SPANISH = [
    "hola quiero reservar para el finde",
    "Hola, quisiera saber si tienen habitaciones libres del 3 al 5 de marzo",
    "q precio tiene la doble x noche?",
    "necesito cambiar las fechas de mi reserva",
    "cuánto cuesta el desayuno",
    "¿Aceptan mascotas?",
    "buenas tardes",
    "gracias",
    "mañana",
    "somos 2 adultos y un niño",
    "tienen estacionamiento pa la camioneta?",
    "holaaaa",
    "vale, hasta luego",
    "me llamo Ana y quiero cancelar",
]

ENGLISH = [
    "hi, i want to book a room for the weekend",
    "Do you have any rooms available from March 3 to 5?",
    "how much is breakfast",
    "I need to change the dates of my booking",
    "what's the wifi password plz",
    "thanks a lot",
    "thx",
    "hello",
    "we're 2 adults and a kid",
    "can u check if my reservation went through",
    "thanksss",
    "I'm arriving late tonight",
]

NEUTRAL = ["ok", "👍", "2", "ana@mail.com", "Ana Pérez", "+34 612 345 678", "AH3C7PQX", "", "  ", "🙂🙂", "?"]


@pytest.mark.parametrize("text", SPANISH)
def test_detect_language_spanish_is_confident(text: str) -> None:
    language, confidence = detect_language_scored(text)
    assert language == "es"
    assert is_confident(confidence)
    assert detect_language(text, previous="en") == "es"


@pytest.mark.parametrize("text", ENGLISH)
def test_detect_language_english_is_confident(text: str) -> None:
    language, confidence = detect_language_scored(text)
    assert language == "en"
    assert is_confident(confidence)
    assert detect_language(text, previous="es") == "en"


@pytest.mark.parametrize("text", NEUTRAL)
def test_detect_language_neutral_messages_keep_the_previous_language(text: str) -> None:
    assert not is_confident(detect_language_scored(text)[1])
    assert detect_language(text, previous="en") == "en"
    assert detect_language(text, previous="es") == "es"


@pytest.mark.parametrize("text", ["ok", "👍", "2", "ana@mail.com", "AH3C7PQX", ""])
def test_detect_language_no_evidence_defaults_to_spanish(text: str) -> None:
    assert detect_language_scored(text) == (DEFAULT_LANGUAGE, 0.0)
    assert detect_language(text) == DEFAULT_LANGUAGE == "es"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hi, quiero una room", "es"),
        ("hola, do you have parking?", "en"),
        ("can I pay con tarjeta?", "en"),
        ("quiero el late checkout please", "es"),
    ],
)
def test_detect_language_code_switching_follows_the_grammar(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detect_language_mixed_message_does_not_switch_a_session() -> None:
    language, confidence = detect_language_scored("hi, quiero una room")
    assert language == "es"
    assert not is_confident(confidence)
    assert detect_language("hi, quiero una room", previous="en") == "en"


def test_detect_language_weak_evidence_decides_only_without_a_previous_language() -> None:
    assert detect_language("2 adults") == "en"
    assert detect_language("2 adults", previous="es") == "es"
    assert detect_language("la doble") == "es"


def test_detect_language_one_strong_word_switches_the_session() -> None:
    assert detect_language("yes", previous="es") == "en"
    assert detect_language("gracias", previous="en") == "es"


def test_detect_language_ignores_an_unknown_previous_language() -> None:
    assert detect_language("ok", previous="fr") == DEFAULT_LANGUAGE
    assert detect_language("thanks", previous="fr") == "en"


def test_detect_language_spanish_punctuation_and_letters_count() -> None:
    assert detect_language_scored("¿?")[0] == "es"
    assert detect_language_scored("¡genial!")[0] == "es"
    assert detect_language_scored("niño")[0] == "es"


def test_detect_language_emails_and_references_carry_no_words() -> None:
    assert detect_language_scored("the.hotel@gracias.com")[1] == 0.0
    assert detect_language_scored("MP7Q3XA9")[1] == 0.0


def test_detect_language_confidence_grows_with_evidence() -> None:
    short = detect_language_scored("thanks")[1]
    long = detect_language_scored("thanks, that is all i needed for the booking")[1]
    assert CONFIDENT <= short < long < 1.0


def test_detect_language_is_fast() -> None:
    messages = SPANISH + ENGLISH + NEUTRAL
    started = time.perf_counter()
    for _ in range(50):
        for text in messages:
            detect_language_scored(text)
    per_message_ms = (time.perf_counter() - started) * 1000 / (50 * len(messages))
    assert per_message_ms < 0.2
