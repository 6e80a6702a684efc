from __future__ import annotations

from datetime import date

from agente.conversation.nlu.focus import LONG_MESSAGE_WORDS, request_focus

TODAY = date(2026, 11, 29)
CHATTER = "we have been talking about a holiday for ages and work has been crazy all year, " * 8


def test_a_short_message_is_read_whole() -> None:
    text = "a room for 2 from december 10 to 13, and is there parking?"
    assert request_focus(text, "en", TODAY) == text


def test_a_long_message_is_read_on_the_clauses_that_name_the_stay() -> None:
    text = f"{CHATTER}. ok so what we would like is a room from december 10 to 13. {CHATTER}"
    assert len(text.split()) > LONG_MESSAGE_WORDS
    assert request_focus(text, "en", TODAY) == "ok so what we would like is a room from december 10 to 13"


def test_a_booking_reference_is_a_request_clause() -> None:
    text = f"{CHATTER}; lo de la reserva AH3C7PQX, {CHATTER}"
    assert request_focus(text, "es", TODAY) == "lo de la reserva AH3C7PQX"


def test_a_long_message_without_a_request_is_read_whole() -> None:
    assert request_focus(CHATTER, "en", TODAY) == CHATTER
