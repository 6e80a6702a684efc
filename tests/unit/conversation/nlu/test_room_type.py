from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.room_type import MATCH_THRESHOLD, match_room_type

QLOAPPS = [(1, "General Rooms"), (2, "Delux Rooms"), (3, "Executive Rooms"), (4, "Luxury Rooms")]
SPANISH = [(10, "Habitación Doble"), (11, "Habitación Individual"), (12, "Suite Junior"), (13, "Familiar")]
SEASIDE = [(20, "Standard Double"), (21, "Ocean View Suite"), (22, "Twin Room"), (23, "Presidential Suite")]


@pytest.mark.parametrize(
    "language, text, catalog, room_type_id",
    [
        ("es", "queremos la ejecutiva", QLOAPPS, 3),
        ("es", "la ejecutiba", QLOAPPS, 3),
        ("es", "una habitacion de lujo", QLOAPPS, 2),
        ("es", "la estandar esta bien", QLOAPPS, 1),
        ("en", "the luxury one", QLOAPPS, 4),
        ("en", "delux room for 2", QLOAPPS, 2),
        ("en", "deluxe", QLOAPPS, 2),
        ("en", "a standard room", QLOAPPS, 1),
        ("en", "standart room", QLOAPPS, 1),
        ("en", "the general one", QLOAPPS, 1),
        ("es", "quiero una individual", SPANISH, 11),
        ("es", "la doble con vistas", SPANISH, 10),
        ("es", "nos interesa la suite", SPANISH, 12),
        ("es", "habitacion familiar", SPANISH, 13),
        ("en", "double room", SPANISH, 10),
        ("en", "single room", SPANISH, 11),
        ("en", "la doble", SEASIDE, 20),
        ("en", "the ocean view room", SEASIDE, 21),
        ("en", "presidential suite", SEASIDE, 23),
        ("en", "twin beds please", SEASIDE, 22),
    ],
)
def test_room_type_matches_the_catalog(
    language: str, text: str, catalog: list[tuple[int, str]], room_type_id: int
) -> None:
    mention = match_room_type(text, language, catalog)
    assert mention is not None
    assert mention.room_type_id == room_type_id
    assert MATCH_THRESHOLD <= mention.score <= 1.0


@pytest.mark.parametrize(
    "language, text, catalog, mention",
    [
        ("es", "la doble", QLOAPPS, "doble"),
        ("es", "hab doble del 20 al 22 dic", QLOAPPS, "hab doble"),
        ("es", "tienen la suite libre?", QLOAPPS, "suite"),
        ("en", "twin room for 2", QLOAPPS, "twin room"),
        ("en", "suite", SEASIDE, "suite"),
        ("es", "quiero la doble", [(10, "Doble Superior"), (11, "Doble Deluxe")], "doble"),
    ],
)
def test_room_word_without_a_clear_match_keeps_the_mention(
    language: str, text: str, catalog: list[tuple[int, str]], mention: str
) -> None:
    found = match_room_type(text, language, catalog)
    assert found is not None
    assert (found.mention, found.room_type_id) == (mention, None)


@pytest.mark.parametrize(
    "language, text",
    [
        ("es", "hola, precio de la habitacion?"),
        ("es", "el doble de precio"),
        ("es", "quiero una habitacion"),
        ("en", "a family of 4"),
        ("en", "in general, how much"),
        ("en", "a single night"),
        ("en", "how much is a room"),
    ],
)
def test_no_room_type(language: str, text: str) -> None:
    assert match_room_type(text, language, QLOAPPS) is None


def test_empty_catalog_keeps_the_mention() -> None:
    found = match_room_type("la suite", "es", [])
    assert found is not None
    assert (found.mention, found.room_type_id, found.score) == ("suite", None, 0.0)
