from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.contact import (
    bare_name,
    calling_code,
    complete_phone,
    extract_email,
    extract_guest_name,
    extract_phone,
    malformed_email,
    name_with_digits,
)


@pytest.mark.parametrize(
    "text, email",
    [
        ("me llamo Ana y mi email es ana.garcia@gmail.com", "ana.garcia@gmail.com"),
        ("mi correo: PEDRO_R@Hotmail.es", "pedro_r@hotmail.es"),
        ("escribeme a juan.perez@gmail.com.", "juan.perez@gmail.com"),
        ("my email is Mary.Jones+hotel@Yahoo.co.uk thanks", "mary.jones+hotel@yahoo.co.uk"),
        ("no tengo email", None),
        ("nos vemos @ la recepcion", None),
        ("maria.lopez1990@gmail.com", "maria.lopez1990@gmail.com"),
        ("Ana López ana.l90@gmail.com 612345678", "ana.l90@gmail.com"),
        ("email - j.smith_77@outlook.com\ntel: 612345678", "j.smith_77@outlook.com"),
        ("correo josé.núñez@correo.es", "josé.núñez@correo.es"),
        ("it's ana.l90 @gmail.com", "ana.l90@gmail.com"),
        ("mailto:Peter.Parker@Example.ORG.", "peter.parker@example.org"),
        ("ana..garcia@gmail.com", None),
        ("ana@gmail", None),
    ],
)
def test_email(text: str, email: str | None) -> None:
    assert extract_email(text) == email


@pytest.mark.parametrize(
    "text, phone",
    [
        # A Spanish mobile cannot be a US number: its digits alone, for the guest to be asked.
        ("mi tlf es 612 345 678", "612345678"),
        ("mi numero es +34 699 12 34 56", "+34699123456"),
        ("llámame al 0034 622 111 222", "+34622111222"),
        ("tel: (+34) 912 345 678", "+34912345678"),
        ("+34 600-112-233", "+34600112233"),
        ("my number is +1 (555) 123-4567, we arrive Dec 12", "+15551234567"),
        ("reach me on (555) 987-6543", "+15559876543"),
        ("call 555.123.4567", "+15551234567"),
        ("my cell is 305-555-0142", "+13055550142"),
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
        # The digits of an e-mail are never a phone.
        ("maria.lopez1990@gmail.com", None),
        ("ana.l90@gmail.com 612345678", "612345678"),
        ("j.smith+20261212@gmail.com", None),
        ("ana.l90@gmail 600", None),
        ("Ana López ana.l90@gmail.com +34 612 34 56 78", "+34612345678"),
    ],
)
def test_phone(text: str, phone: str | None) -> None:
    assert extract_phone(text, "US") == phone


@pytest.mark.parametrize(
    "text, region, phone",
    [
        ("mi movil 612 345 678", "ES", "+34612345678"),
        ("tel 91 123 45 67", "ES", "+34911234567"),
        ("my mobile 07700 900123", "GB", "+447700900123"),
        ("(305) 555-0142", "ES", "3055550142"),
        ("+1 305 555 0142", "ES", "+13055550142"),
        ("0044 7700 900123", "US", "+447700900123"),
    ],
)
def test_phone_without_country_code_is_of_the_hotels_country(text: str, region: str, phone: str) -> None:
    assert extract_phone(text, region) == phone


def test_a_phone_is_never_longer_than_e164() -> None:
    assert extract_phone("+34 612 345 678 912 345 678 912 345", "US") is None


@pytest.mark.parametrize(
    "text, code",
    [
        ("+34", 34),
        ("34", 34),
        ("0044", 44),
        ("es de España", 34),
        ("Spain", 34),
        ("it's a UK number", 44),
        ("the country code is +49", 49),
        ("de mexico", 52),
        ("+1 please", 1),
        ("no sé", None),
        ("+999", None),
    ],
)
def test_calling_code(text: str, code: int | None) -> None:
    assert calling_code(text) == code


def test_complete_phone_adds_the_country_code_and_drops_a_trunk_zero() -> None:
    assert complete_phone("612345678", 34) == "+34612345678"
    assert complete_phone("07700900123", 44) == "+447700900123"
    assert complete_phone("612", 34) is None


@pytest.mark.parametrize(
    "text, bad",
    [
        ("james.wilson@gmail", "james.wilson@gmail"),
        ("mi correo es ana@@gmail.com", "ana@@gmail.com"),
        ("ana@gmail.com", None),
        ("nos vemos @ la recepcion", None),
        ("sin arroba", None),
    ],
)
def test_malformed_email(text: str, bad: str | None) -> None:
    assert malformed_email(text) == bad


@pytest.mark.parametrize(
    "text, name",
    [
        ("ana garcia", "Ana Garcia"),
        ("Ana López ana.l90@gmail.com 612345678", "Ana López"),
        ("Sophie Martin, sophie@x.com, +33 6 12 34 56 78", "Sophie Martin"),
        ("email - ana@x.com\ntel: 612345678\nAna López", "Ana López"),
        ("Name: Ana Lopez\nEmail: ana@x.com\nPhone: +34600111222", "Ana Lopez"),
        ("sí, Ana Pérez", "Ana Pérez"),
        ("Ana y mi correo es ana@x.com", "Ana"),
        ("María de la Fuente", "María de la Fuente"),
        ("Jean-Pierre O'Connor", "Jean-Pierre O'Connor"),
        ("Иван Петров", "Иван Петров"),
        ("李小龙", "李小龙"),
        ("Ana López 2", None),
        ("quiero reservar", None),
        ("ok", None),
        ("un momento", None),
        ("hold on", None),
        ("asdf;lkj 8u9", None),
        ("2 adultos", None),
        ("the first one", None),
    ],
)
def test_bare_name(text: str, name: str | None) -> None:
    assert bare_name(text) == name


@pytest.mark.parametrize(
    "text, digits",
    [
        ("Ana López 2", True),
        ("j0hn smith", True),
        ("me llamo Ana2", True),
        ("maria lopez 1990, maria@x.com", True),
        ("la 2", False),
        ("2 adultos", False),
        ("del 12 al 15", False),
        ("Ana López, ana.l90@gmail.com, 612345678", False),
        ("555 01", False),
    ],
)
def test_name_with_digits(text: str, digits: bool) -> None:
    assert name_with_digits(text) is digits


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
        ("es", "me llamo Ana2"),
        ("en", "the booking is for tomorrow"),
    ],
)
def test_no_guest_name(language: str, text: str) -> None:
    assert extract_guest_name(text, language) is None
