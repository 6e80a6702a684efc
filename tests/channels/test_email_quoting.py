from __future__ import annotations

import pytest

from agente.channels.email.quoting import strip_quoted


def test_plain_text_is_kept_whole() -> None:
    assert strip_quoted("  Hola,\n\n¿tenéis parking?\n") == "Hola,\n\n¿tenéis parking?"


def test_quoted_lines_go_and_what_is_written_between_them_stays() -> None:
    text = "> ¿Para qué fechas?\nDel 12 al 15 de diciembre\n>> older\r\n> > nested\nSomos 2"
    assert strip_quoted(text) == "Del 12 al 15 de diciembre\nSomos 2"


@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, Dec 1, 2026 at 10:00 AM Hotel Demo <reservas@hotel.example> wrote:",
        "El mar, 1 dic 2026 a las 10:00, Hotel Demo (<reservas@hotel.example>) escribió:",
        "El 1/12/2026, Hotel Demo escribio:",
        "On Tue, Dec 1, 2026 at 10:00 AM Hotel Demo <\nreservas@hotel.example> wrote:",
    ],
)
def test_everything_from_an_attribution_on_goes(attribution: str) -> None:
    text = f"Sí, confirmo.\n\n{attribution}\n\nResumen: Doble, 3 noches.\n¿Confirmo la reserva?"
    assert strip_quoted(text) == "Sí, confirmo."


def test_words_that_look_like_an_attribution_but_name_no_date_or_address_stay() -> None:
    text = "El lunes llegamos tarde, como escribió mi mujer:\nhacia las 23:00"
    assert strip_quoted(text) == text


def test_the_signature_and_mobile_footers_go() -> None:
    assert strip_quoted("Quiero reservar\n-- \nAna García\n+34 600 111 222") == "Quiero reservar"
    assert strip_quoted("Quiero reservar\n--\nAna") == "Quiero reservar"
    assert strip_quoted("Book it please\n\nSent from my iPhone") == "Book it please"
    assert strip_quoted("Resérvala\n\nEnviado desde mi Android") == "Resérvala"


def test_an_outlook_original_message_goes() -> None:
    text = "2 adults\n\n-----Original Message-----\nFrom: Hotel\nSent: Tuesday\nHow many guests?"
    assert strip_quoted(text) == "2 adults"
    assert strip_quoted("2 adultos\n----- Mensaje original -----\nDe: Hotel") == "2 adultos"


def test_a_dash_inside_a_sentence_is_not_a_signature() -> None:
    assert strip_quoted("Del 12 -- al 15") == "Del 12 -- al 15"


def test_only_quoted_text_leaves_nothing() -> None:
    assert strip_quoted("> ¿Confirmo?\n> Sí o no") == ""
