from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.room_choice import RoomChoice, extract_room_choice


@pytest.mark.parametrize(
    "language, text, choice",
    [
        ("es", "la 2", RoomChoice("number", 2)),
        ("es", "dos", RoomChoice("number", 2)),
        ("es", "me quedo con la 3 gracias", RoomChoice("number", 3)),
        ("en", "option one please", RoomChoice("number", 1)),
        ("en", "the third one", RoomChoice("number", 3)),
        ("en", "the 2nd one", RoomChoice("number", 2)),
        ("es", "la primera", RoomChoice("number", 1)),
        ("es", "me quedo con la última", RoomChoice("last")),
        ("es", "la más barata", RoomChoice("cheapest")),
        ("es", "pues la mas economica", RoomChoice("cheapest")),
        ("es", "la que sale más barata", RoomChoice("cheapest")),
        ("en", "the cheapest", RoomChoice("cheapest")),
        ("en", "cheapest one pls", RoomChoice("cheapest")),
        ("en", "the cheaper one", RoomChoice("cheapest")),
        ("es", "la menos costosa", RoomChoice("cheapest")),
        ("es", "lo mas economico q tengas", RoomChoice("cheapest")),
        ("en", "the more expensive one", RoomChoice("priciest")),
        ("en", "gimme the most expensive lol", RoomChoice("priciest")),
        ("es", "la más cara", RoomChoice("priciest")),
        ("en", "the biggest one", RoomChoice("largest")),
        ("es", "la más grande", RoomChoice("largest")),
        ("en", "the one with the most space", RoomChoice("largest")),
        ("en", "the smallest", RoomChoice("smallest")),
        ("en", "the one for 4", RoomChoice("fits", 4)),
        ("en", "the one that fits 4 of us", RoomChoice("fits", 4)),
        ("es", "la de 4 personas", RoomChoice("fits", 4)),
        ("es", "la que es para 4", RoomChoice("fits", 4)),
    ],
)
def test_room_choice(language: str, text: str, choice: RoomChoice) -> None:
    assert extract_room_choice(text, language) == choice


@pytest.mark.parametrize(
    "language, text",
    [
        ("es", "2 adultos"),
        ("es", "3 noches"),
        ("es", "¿no hay nada más barato?"),
        ("es", "el 12 de diciembre"),
        ("es", "la del 4 de diciembre"),
        ("en", "we are 4"),
        ("en", "for 3"),
        ("en", "the one for 4 nights"),
        ("es", "quiero la suite"),
        ("en", "no wait, my email is actually pparker2@gmail.com"),
        ("es", "mi correo es ana3@mail.com"),
    ],
)
def test_messages_that_choose_no_room(language: str, text: str) -> None:
    assert extract_room_choice(text, language) is None
