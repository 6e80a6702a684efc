from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.contact import extract_email, extract_guest_name, extract_phone


@pytest.mark.parametrize(
    "text, email",
    [
        ("me llamo Ana y mi email es ana.garcia@gmail.com", "ana.garcia@gmail.com"),
        ("mi correo: PEDRO_R@Hotmail.es", "pedro_r@hotmail.es"),
        ("escribeme a juan.perez@gmail.com.", "juan.perez@gmail.com"),
        ("my email is Mary.Jones+hotel@Yahoo.co.uk thanks", "mary.jones+hotel@yahoo.co.uk"),
        ("no tengo email", None),
        ("nos vemos @ la recepcion", None),
    ],
)
def test_email(text: str, email: str | None) -> None:
    assert extract_email(text) == email


@pytest.mark.parametrize(
    "text, phone",
    [
        ("mi tlf es 612 345 678", "612345678"),
        ("mi numero es +34 699 12 34 56", "+34699123456"),
        ("llámame al 0034 622 111 222", "+34622111222"),
        ("tel: (+34) 912 345 678", "+34912345678"),
        ("+34 600-112-233", "+34600112233"),
        ("my number is +1 (555) 123-4567, we arrive Dec 12", "+15551234567"),
        ("reach me on (555) 987-6543", "5559876543"),
        ("call 555.123.4567", "5551234567"),
        ("mi whatsapp 0044 7700 900123", "+447700900123"),
        ("call me at 14:30 on 612 345 678", "612345678"),
        ("el precio es 1.250,00 y la reserva del 12/12/2026", None),
        ("del 12/12/2026 al 15/12/2026", None),
        ("15.12.2026 - 18.12.2026", None),
        ("2026-12-15 2026-12-18", None),
        ("mi numero de reserva es 123456789", None),
        ("tarjeta 4111 1111 1111 1111", None),
        ("son 123456789 euros", None),
        ("booking ref AH7K3P9Q", None),
        ("somos 2 adultos del 12 al 15", None),
    ],
)
def test_phone(text: str, phone: str | None) -> None:
    assert extract_phone(text) == phone


@pytest.mark.parametrize(
    "language, text, name",
    [
        ("es", "me llamo Ana García y mi email es ana@x.com", "Ana García"),
        ("es", "soy juan perez, quiero reservar", "Juan Perez"),
        ("es", "Soy Juan. Quiero reservar", "Juan"),
        ("es", "soy Fernando", "Fernando"),
        ("es", "a nombre de maria lopez fernandez", "Maria Lopez Fernandez"),
        ("es", "la reserva está a nombre de Lucía Gómez.", "Lucía Gómez"),
        ("es", "mi nombre es Carlos, mi movil 654 32 10 98", "Carlos"),
        ("es", "Hola, soy María de la Fuente y quiero reservar", "María de la Fuente"),
        ("es", "me llamo jose luis rodriguez martinez garcia", "Jose Luis Rodriguez Martinez"),
        ("es", "soy la señora Martínez", "Martínez"),
        ("es", "Buenas! Les escribe Pedro Sánchez", "Pedro Sánchez"),
        ("en", "my name is john smith, email john.smith@example.com", "John Smith"),
        ("en", "My name is MARY ANN SMITH", "Mary Ann Smith"),
        ("en", "it's under Smith", "Smith"),
        ("en", "the booking is for John Smith", "John Smith"),
        ("en", "the reservation is under the name of Robert Brown", "Robert Brown"),
        ("en", "this is Sarah O'Connor, I booked last week", "Sarah O'Connor"),
        ("en", "this is Jean-Pierre Dupont", "Jean-Pierre Dupont"),
        ("en", "I'm Peter and my wife is Anna", "Peter"),
        ("en", "Hi, I'm Tom", "Tom"),
        ("en", "call me Liz", "Liz"),
    ],
)
def test_guest_name(language: str, text: str, name: str) -> None:
    assert extract_guest_name(text, language) == name


@pytest.mark.parametrize(
    "language, text",
    [
        ("es", "soy de Madrid y quiero info"),
        ("es", "soy alérgico al gluten"),
        ("es", "soy cliente vuestro"),
        ("es", "hola soy yo otra vez"),
        ("es", "mi correo: PEDRO_R@Hotmail.es"),
        ("en", "I'm looking for a room"),
        ("en", "I'm traveling alone"),
        ("en", "I'm Spanish"),
        ("en", "I'm from Germany"),
        ("en", "I am arriving late"),
        ("en", "this is great thanks"),
        ("en", "booking for 2 people"),
        ("en", "the booking is for tomorrow"),
    ],
)
def test_no_guest_name(language: str, text: str) -> None:
    assert extract_guest_name(text, language) is None
