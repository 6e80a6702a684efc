from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.counts import (
    extract_count_answer,
    extract_leading_adults,
    extract_party,
    mask_party_numbers,
)
from agente.conversation.nlu.types import Party


@pytest.mark.parametrize(
    "language, text, party",
    [
        ("es", "dos adultos y un niño", Party(adults=2, children=1)),
        ("es", "2 adultos 2 niños", Party(adults=2, children=2)),
        ("es", "somos 4", Party(adults=4)),
        ("es", "para mí y mi pareja", Party(adults=2)),
        ("es", "para mi esposa y yo", Party(adults=2)),
        ("es", "solo yo", Party(adults=1)),
        ("es", "viajo sola, del 3 al 6", Party(adults=1)),
        ("es", "una familia de 4 con 2 niños", Party(adults=2, children=2)),
        ("es", "3 personas", Party(adults=3)),
        ("es", "necesitamos dos habitaciones para 4 adultos", Party(adults=4, rooms=2)),
        ("es", "2 adultos... no perdon, mejor 3 adultos", Party(adults=3)),
        ("es", "vamos 2 adultos con un bebé", Party(adults=2, children=1)),
        ("es", "3 adultos, 1 niño y 1 bebé", Party(adults=3, children=2)),
        ("es", "2 adultos y 2 niños de 4 y 7 años", Party(adults=2, children=2)),
        ("es", "somos 5: 3 adultos y 2 niños", Party(adults=3, children=2)),
        ("es", "somos 6 y queremos 3 habitaciones", Party(adults=6, rooms=3)),
        ("es", "mi mujer, mis dos hijos y yo", Party(adults=2, children=2)),
        ("es", "vamos mi marido y yo con nuestra hija", Party(adults=2, children=1)),
        ("es", "viajo con mi hijo", Party(adults=1, children=1)),
        ("en", "2 adults and a baby", Party(adults=2, children=1)),
        ("es", "2 adultos, y tenemos un bebé", Party(adults=2, children=1)),
        ("en", "room for 2 adults. her sister had a baby, and i type like a teenager", Party(adults=2)),
        ("en", "room for 2 adults. my daughter said this chat is quicker", Party(adults=2)),
        ("es", "mi hija me dijo que por aqui es mas rapido", Party()),
        ("es", "reservamos para mi hija y para mi", Party(adults=1, children=1)),
        ("es", "los niños se quedan con los abuelos. del 3 al 5 para 2 adultos", Party(adults=2)),
        ("es", "mis padres y yo", Party(adults=3)),
        ("es", "yo y 2 amigos", Party(adults=3)),
        ("es", "vamos 2 parejas", Party(adults=4)),
        ("es", "somos una pareja con un niño", Party(adults=2, children=1)),
        ("es", "habitacion para 4, 2 de ellos niños", Party(adults=2, children=2)),
        ("es", "una habitación para dos", Party(adults=2)),
        ("es", "grupo de 10 personas, 5 habitaciones", Party(adults=10, rooms=5)),
        ("es", "dos dobles para 4 adultos", Party(adults=4, rooms=2)),
        ("es", "solo una persona", Party(adults=1)),
        ("en", "2 adults + 1 kid", Party(adults=2, children=1)),
        # A number right after "room" is the party here, not a room number.
        ("es", "necesito habitacion 2 adultos del 3 al 5 de enero", Party(adults=2)),
        ("en", "room 3 people jan 4 to 6", Party(adults=3)),
        ("en", "me and my wife", Party(adults=2)),
        ("en", "just me", Party(adults=1)),
        ("en", "I'm traveling alone", Party(adults=1)),
        ("en", "we are 4 people", Party(adults=4)),
        ("en", "there are 5 of us", Party(adults=5)),
        ("en", "just the two of us", Party(adults=2)),
        ("en", "family of four", Party(adults=4)),
        ("en", "a family of 5 with 3 children", Party(adults=2, children=3)),
        ("en", "2 adults, 1 baby", Party(adults=2, children=1)),
        ("en", "my husband and I and our 2 kids", Party(adults=2, children=2)),
        ("en", "me, my wife and our baby", Party(adults=2, children=1)),
        ("en", "party of 6, need 3 rooms", Party(adults=6, rooms=3)),
        ("en", "3 rooms for 6 people", Party(adults=6, rooms=3)),
        ("en", "we're a couple", Party(adults=2)),
        ("en", "actually make it 3 adults", Party(adults=3)),
        ("en", "2 adults and 3 kids in 2 rooms", Party(adults=2, children=3, rooms=2)),
        ("en", "3 adults, one of them is my 16 year old son", Party(adults=3)),
        ("en", "a room for 2 adults and 2 children aged 5 and 8", Party(adults=2, children=2)),
        ("en", "4 pax", Party(adults=4)),
        ("en", "two rooms please", Party(rooms=2)),
        ("en", "me and 3 friends", Party(adults=4)),
        # Children given by their ages.
        ("en", "and our 6-year-old", Party(children=1)),
        ("en", "me and my wife and our 6-year-old", Party(adults=2, children=1)),
        ("en", "we're 2 adults plus a 6yo", Party(adults=2, children=1)),
        ("en", "2 adults with kids aged 4 and 7", Party(adults=2, children=2)),
        ("en", "my wife, me and the kids 4 and 7", Party(adults=2, children=2)),
        ("en", "just me and my 5 year old", Party(adults=1, children=1)),
        ("en", "we are 3: me, my wife and our 6yo", Party(adults=2, children=1)),
        ("es", "con un niño de 8", Party(children=1)),
        ("es", "2 adultos con los niños de 4 y 7 años", Party(adults=2, children=2)),
        ("es", "mi marido, yo y la peque de 3 años", Party(adults=2, children=1)),
        ("es", "nosotros dos y la niña de 6", Party(adults=2, children=1)),
        # Couples and families.
        ("es", "mi pareja y yo", Party(adults=2)),
        ("en", "me and my wife and our two kids", Party(adults=2, children=2)),
        ("es", "dos peques", Party(children=2)),
        ("es", "2 peques", Party(children=2)),
        # One person, and bookings for somebody else: nobody is added.
        ("es", "una persona", Party(adults=1)),
        ("es", "una sola persona", Party(adults=1)),
        ("en", "a single person", Party(adults=1)),
        ("es", "es para mi madre", Party(adults=1)),
        ("en", "it's for my husband only", Party(adults=1)),
        ("en", "for my parents", Party(adults=2)),
        ("es", "para mi mujer y para mí", Party(adults=2)),
    ],
)
def test_party(language: str, text: str, party: Party) -> None:
    assert extract_party(text, language) == party


@pytest.mark.parametrize(
    "language, text",
    [
        ("es", "una doble por favor"),
        ("es", "quiero una habitacion"),
        ("es", "el 12 de diciembre"),
        ("es", "cuanto sale por 3 noches?"),
        ("es", "me parece caro 1.250,00 €"),
        ("es", "mi telefono es 612 345 678"),
        ("es", "una cama de matrimonio"),
        ("es", "somos 3 familias"),
        ("es", "tenemos 2 perros"),
        ("es", "a las 14:00"),
        ("en", "for 3 nights"),
        ("en", "the 2nd of december"),
        ("en", "a double room"),
        ("en", "how much is a double for 3 nights"),
        ("en", "room 204 please"),
    ],
)
def test_numbers_that_are_not_people(language: str, text: str) -> None:
    assert extract_party(text, language) == Party()


def test_mask_party_numbers_keeps_the_days() -> None:
    assert mask_party_numbers("para 2 adultos del 2 al 4") == "para § del 2 al 4"


@pytest.mark.parametrize(
    "text, count",
    [
        ("2", 2),
        ("dos", 2),
        ("2 pax", 2),
        ("somos 3", 3),
        ("just 2 please", 2),
        ("solo dos, gracias", 2),
        ("we are two", 2),
        ("seremos 4 personas", 4),
        ("2!!", 2),
    ],
)
def test_a_bare_count_answers_how_many(text: str, count: int) -> None:
    assert extract_count_answer(text, "es") == count


@pytest.mark.parametrize("text", ["el 2", "2 noches", "2 de diciembre", "612345678", "hola", "2 adultos y 1 niño"])
def test_more_than_a_count_is_no_bare_count(text: str) -> None:
    assert extract_count_answer(text, "es") is None


@pytest.mark.parametrize(
    "language, text, adults",
    [
        ("es", "2 y un niño de 3", 2),
        ("es", "dos y una niña de 5 años", 2),
        ("es", "pues 3 mas 2 niños", 3),
        ("en", "two and a baby", 2),
        ("en", "2 + 1 kid", 2),
        ("es", "el 14 y un niño", None),
        ("es", "un niño y 2 adultos", None),
    ],
)
def test_leading_adults_of_a_party_answer(language: str, text: str, adults: int | None) -> None:
    assert extract_leading_adults(text, language) == adults
