"""Booking confirmation emails: one per booking that becomes confirmed, in the guest's language.

:class:`BookingConfirmations` is told of each confirmed booking by
:class:`~agente.reservations.service.Reservations` (a booking confirmed at once, or a pending
one the PMS confirmed later) inside the unit of work that records it, and queues an
``email.send`` job there: the email exists if and only if the booking was recorded. The job
is keyed by the booking's reference, so a booking is confirmed by email once.

The hotel's and the room's names come from the PMS, read in :meth:`BookingConfirmations.prepare`
before that unit of work opens, so no transaction waits on the PMS.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import structlog

from agente.channels.email.compose import new_message_id
from agente.channels.email.inbound import normalise_address
from agente.channels.email.jobs import SEND_JOB, OutgoingEmail, queue_send
from agente.conversation.replies.format import format_day, format_money, format_stay, party_text
from agente.pms.errors import PmsError
from agente.pms.port import PmsClient
from agente.storage.repositories.bookings import StoredBooking
from agente.storage.unit_of_work import UnitOfWork

__all__ = ["BookingConfirmations", "confirmation_email"]

log = structlog.stdlib.get_logger("agente.email")

_TEXT = {
    "es": {
        "subject": "Reserva confirmada {reference}",
        "greeting": "Hola {name}:",
        "greeting_anonymous": "Hola:",
        "intro": "Tu reserva en {hotel} está confirmada.",
        "reference": "Referencia",
        "hotel": "Hotel",
        "room": "Habitación",
        "check_in": "Llegada",
        "check_out": "Salida",
        "stay": "Estancia",
        "guests": "Huéspedes",
        "total": "Total",
        "outro": "Guarda la referencia: la necesitarás para consultar, cambiar o cancelar la reserva.",
        "room_type": "habitación tipo {id}",
        "the_hotel": "el hotel",
        "day": "{day} de {year}",
    },
    "en": {
        "subject": "Booking confirmed {reference}",
        "greeting": "Hello {name},",
        "greeting_anonymous": "Hello,",
        "intro": "Your booking at {hotel} is confirmed.",
        "reference": "Reference",
        "hotel": "Hotel",
        "room": "Room",
        "check_in": "Arrival",
        "check_out": "Departure",
        "stay": "Stay",
        "guests": "Guests",
        "total": "Total",
        "outro": "Keep the reference: you will need it to check, change or cancel the booking.",
        "room_type": "room type {id}",
        "the_hotel": "the hotel",
        "day": "{day}, {year}",
    },
}


def _day(day: date, text: dict[str, str], language: str) -> str:
    return text["day"].format(day=format_day(day, language), year=day.year)


def confirmation_email(record: StoredBooking, *, hotel: str | None, room: str | None, language: str) -> tuple[str, str]:
    """``(subject, text)`` confirming ``record`` in ``language`` (``es`` unless ``en``).

    Dates, party and money are written by the same helpers as the chat's replies.
    """
    language = language if language in _TEXT else "es"
    text = _TEXT[language]
    hotel_name = hotel or text["the_hotel"]
    subject = text["subject"].format(reference=record.reference) + (f" · {hotel}" if hotel else "")
    first = record.guest_first_name.strip(" -")
    total = record.total_price if record.total_price is not None else record.quoted_total
    details = [
        (text["reference"], record.reference),
        (text["hotel"], hotel_name),
        (text["room"], room or text["room_type"].format(id=record.room_type_id)),
        (text["check_in"], _day(record.check_in, text, language)),
        (text["check_out"], _day(record.check_out, text, language)),
        (text["stay"], format_stay(record.check_in, record.check_out, language)),
        (text["guests"], party_text(record.adults, record.children, record.rooms, language)),
    ]
    if total is not None:
        details.append((text["total"], format_money(Decimal(total), record.currency or "", language)))
    lines = [
        text["greeting"].format(name=first) if first else text["greeting_anonymous"],
        "",
        text["intro"].format(hotel=hotel_name),
        "",
        *(f"{label}: {value}" for label, value in details),
        "",
        text["outro"],
        "",
        hotel_name if hotel else "",
    ]
    return subject, "\n".join(lines).strip() + "\n"


class BookingConfirmations:
    """Queues the confirmation email of every confirmed booking that has a guest email.

    ``sender`` is ``SMTP_FROM`` (its domain names the Message-IDs). Names read from the PMS
    are kept ``keep_seconds``; while the PMS cannot be asked, the last names read are used,
    or neutral words ("the hotel", "room type 3") when none were ever read.
    """

    def __init__(self, pms: PmsClient, sender: str, *, keep_seconds: float = 300.0) -> None:
        self.pms = pms
        self.sender = sender
        self.keep_seconds = keep_seconds
        self._hotel: str | None = None
        self._rooms: dict[int, str] = {}
        self._read_at = float("-inf")

    async def prepare(self) -> None:
        """Read the hotel's and rooms' names, unless read recently. Never raises for the PMS."""
        if time.monotonic() - self._read_at < self.keep_seconds:
            return
        try:
            hotel = await self.pms.hotel()
            rooms = await self.pms.room_types()
        except PmsError as exc:
            log.warning("confirmation emails use the names last known: PMS unavailable", error=str(exc))
            return
        self._hotel, self._rooms = hotel.name, {room.id: room.name for room in rooms}
        self._read_at = time.monotonic()

    async def confirmed(self, uow: UnitOfWork, record: StoredBooking) -> None:
        """Queue ``record``'s confirmation in ``uow`` (the unit of work recording it).

        Nothing is queued when the booking has no valid guest email. The language is the
        conversation's, Spanish when the booking has none.
        """
        address = normalise_address(record.guest_email or "")
        if address is None:
            return
        language = "es"
        if record.session_id is not None:
            language = await uow.sessions.language(record.session_id) or "es"
        subject, text = confirmation_email(
            record, hotel=self._hotel, room=self._rooms.get(record.room_type_id), language=language
        )
        email = OutgoingEmail(
            kind="confirmation",
            message_id=new_message_id(self.sender),
            to=address,
            subject=subject,
            language=language if language in _TEXT else "es",
            text=text,
            booking_reference=record.reference,
        )
        await queue_send(uow.outbox, email, dedup_key=f"{SEND_JOB}:confirmation:{record.reference}")
        log.info("booking confirmation email queued", reference=record.reference)
