from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

import pytest

from agente.channels.email.compose import compose, new_message_id, reply_subject, sender_address
from agente.channels.email.confirmation import confirmation_email
from agente.storage.repositories.bookings import StoredBooking

SENDER = "Hotel Demo <Reservas@Hotel.example>"


def _wire(message: EmailMessage) -> EmailMessage:
    """The message as a receiving server parses it."""
    return BytesParser(policy=default).parsebytes(message.as_bytes())


def test_a_reply_carries_threading_headers_and_a_utf8_body() -> None:
    message = compose(
        sender=SENDER,
        to="ana@example.com",
        subject="Re: Habitación en diciembre",
        text="Disponibilidad del 12 al 15 de diciembre: 1.250,00 USD 🏨",
        message_id="<r1@hotel.example>",
        language="es",
        in_reply_to="<g2@mail.example.com>",
        references=["<g1@mail.example.com>", "<g2@mail.example.com>"],
        sent_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )
    wire = _wire(message)
    assert wire["From"] == SENDER and wire["To"] == "ana@example.com"
    assert wire["Subject"] == "Re: Habitación en diciembre"
    assert wire["Message-ID"] == "<r1@hotel.example>"
    assert wire["In-Reply-To"] == "<g2@mail.example.com>"
    assert wire["References"] == "<g1@mail.example.com> <g2@mail.example.com>"
    assert wire["Date"] == "Tue, 01 Dec 2026 09:30:00 +0000"
    assert wire["Auto-Submitted"] == "auto-replied" and wire["Content-Language"] == "es"
    assert wire.get_content_type() == "text/plain" and wire.get_content_charset() == "utf-8"
    assert wire.get_content() == "Disponibilidad del 12 al 15 de diciembre: 1.250,00 USD 🏨\n"


def test_a_first_message_has_no_threading_headers() -> None:
    wire = _wire(
        compose(
            sender=SENDER,
            to="ana@example.com",
            subject="Booking confirmed",
            text="Hi",
            message_id="<c1@hotel.example>",
            language="en",
            auto_submitted="auto-generated",
        )
    )
    assert wire["In-Reply-To"] is None and wire["References"] is None
    assert wire["Auto-Submitted"] == "auto-generated"


def test_a_line_break_cannot_smuggle_a_header_in() -> None:
    with pytest.raises(ValueError):
        compose(
            sender=SENDER,
            to="ana@example.com",
            subject="Hola\r\nBcc: everyone@example.com",
            text="x",
            message_id="<x@hotel.example>",
            language="es",
        )


@pytest.mark.parametrize(
    ("subject", "language", "expected"),
    [
        ("Habitación en diciembre", "es", "Re: Habitación en diciembre"),
        ("Re: Habitación", "es", "Re: Habitación"),
        ("RE:Room", "en", "RE:Room"),
        ("AW: Zimmer", "en", "AW: Zimmer"),
        ("", "es", "Re: Tu mensaje"),
        ("   ", "en", "Re: Your message"),
        ("Regarding  my   stay", "en", "Re: Regarding my stay"),
    ],
)
def test_reply_subject(subject: str, language: str, expected: str) -> None:
    assert reply_subject(subject, language) == expected


def test_message_ids_are_unique_and_in_the_senders_domain() -> None:
    first, second = new_message_id(SENDER), new_message_id(SENDER)
    assert first != second
    assert re.fullmatch(r"<[0-9a-f]{32}@hotel\.example>", first)
    assert sender_address(SENDER) == "reservas@hotel.example"


def _booking(**changes: Any) -> StoredBooking:
    values: dict[str, Any] = {
        "id": 1,
        "session_id": None,
        "created_at": datetime(2026, 12, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 12, 1, tzinfo=UTC),
        "reference": "AH3K7PQX",
        "idempotency_key": "k",
        "status": "confirmed",
        "room_type_id": 2,
        "check_in": date(2026, 12, 12),
        "check_out": date(2026, 12, 15),
        "adults": 2,
        "children": 1,
        "rooms": 1,
        "total_price": Decimal("1250.00"),
        "currency": "USD",
        "guest_first_name": "Ana",
        "guest_last_name": "García",
        "guest_email": "ana@example.com",
        "guest_phone": "+34600111222",
    }
    values.update(changes)
    return StoredBooking(**values)


def test_the_confirmation_in_spanish_has_every_detail() -> None:
    subject, text = confirmation_email(_booking(), hotel="Hotel Demo", room="Doble Superior", language="es")
    assert subject == "Reserva confirmada AH3K7PQX · Hotel Demo"
    assert text.startswith("Hola Ana:\n\nTu reserva en Hotel Demo está confirmada.")
    for line in (
        "Referencia: AH3K7PQX",
        "Hotel: Hotel Demo",
        "Habitación: Doble Superior",
        "Llegada: 12 de diciembre de 2026",
        "Salida: 15 de diciembre de 2026",
        "Estancia: del 12 al 15 de diciembre, 3 noches",
        "Huéspedes: 2 adultos y 1 niño",
        "Total: 1.250,00 USD",
    ):
        assert line in text.splitlines()


def test_the_confirmation_in_english_and_with_names_unknown() -> None:
    record = _booking(
        guest_first_name="-", adults=4, children=0, rooms=2, total_price=None, quoted_total=Decimal("980")
    )
    subject, text = confirmation_email(record, hotel=None, room=None, language="en")
    assert subject == "Booking confirmed AH3K7PQX"
    lines = text.splitlines()
    assert lines[0] == "Hello,"
    assert "Your booking at the hotel is confirmed." in lines
    assert "Room: room type 2" in lines
    assert "Arrival: December 12, 2026" in lines and "Departure: December 15, 2026" in lines
    assert "Stay: December 12–15, 3 nights" in lines
    assert "Guests: 4 adults, 2 rooms" in lines
    assert "Total: USD 980.00" in lines
