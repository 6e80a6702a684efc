"""Making a booking, whatever state the PMS is in.

:meth:`Reservations.reserve` books through the (resilient) PMS and records the result in
``bookings`` under our own reference. When the PMS cannot be asked and the flag
``pms.fallback.enabled`` is on, the booking is recorded as ``pending`` and an outbox job
(``booking.create``) is committed in the same transaction; the worker makes it when the
PMS answers again (:meth:`Reservations.complete_pending`), after first looking for it, so
a booking is never made twice. Its outcome — ``confirmed`` or ``failed`` with the reason —
is written back to the record, so the guest can be told. With the flag off the caller gets
:class:`~agente.pms.errors.PmsUnavailableError` and hands the guest to staff.

The idempotency key makes every step repeatable: the same key is the same record, the
same outbox job and the same PMS booking.

A :class:`BookingNotifier` (the confirmation email) hears of every booking that becomes
confirmed inside the unit of work that records it, so what it queues commits with the record.
Bookings are stored through :class:`~agente.storage.unit_of_work.Storage` and handed out as
:class:`~agente.storage.repositories.bookings.StoredBooking` records.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import structlog

from agente.observability.metrics import Metrics
from agente.ops.flags import FeatureFlags
from agente.outbox import RetryLater, UnreadablePayloadError
from agente.pms.errors import BookingNotFoundError, CircuitOpenError, PmsRejectedError, PmsUnavailableError
from agente.pms.port import PmsClient
from agente.pms.resilience.resilient import FALLBACK_FLAG
from agente.pms.types import Booking, BookingChange, BookingRequest, GuestDetails, StayQuery
from agente.reservations.errors import BookingsDisabledError
from agente.storage.repositories.bookings import NewBooking, StoredBooking
from agente.storage.unit_of_work import Storage, UnitOfWork

log = structlog.stdlib.get_logger("agente.reservations")

_Booking = TypeVar("_Booking", bound=NewBooking)

PENDING_JOB = "booking.create"
BOOKINGS_FLAG = "bookings.enabled"
# Unambiguous characters only: references are read aloud and typed on phones.
_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"


def new_reference() -> str:
    return "AH" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def request_payload(request: BookingRequest) -> dict[str, Any]:
    stay = request.stay
    return {
        "stay": {
            "check_in": stay.check_in.isoformat(),
            "check_out": stay.check_out.isoformat(),
            "adults": stay.adults,
            "children": stay.children,
            "rooms": stay.rooms,
        },
        "room_type_id": request.room_type_id,
        "guest": asdict(request.guest),
        "idempotency_key": request.idempotency_key,
        "remark": request.remark,
        "quoted_total": str(request.quoted_total) if request.quoted_total is not None else None,
    }


def request_from_payload(payload: dict[str, Any]) -> BookingRequest:
    stay = payload["stay"]
    return BookingRequest(
        stay=StayQuery(
            date.fromisoformat(stay["check_in"]),
            date.fromisoformat(stay["check_out"]),
            adults=stay["adults"],
            children=stay["children"],
            rooms=stay["rooms"],
        ),
        room_type_id=payload["room_type_id"],
        guest=GuestDetails(**payload["guest"]),
        idempotency_key=payload["idempotency_key"],
        remark=payload.get("remark"),
        quoted_total=Decimal(payload["quoted_total"]) if payload.get("quoted_total") else None,
    )


class BookingNotifier(Protocol):
    """Told of each booking that becomes confirmed: ``prepare`` runs before the recording unit of
    work opens (it may ask the PMS), ``confirmed`` inside it (its writes commit or roll back with
    the booking)."""

    async def prepare(self) -> None: ...

    async def confirmed(self, uow: UnitOfWork, booking: StoredBooking) -> None: ...


class Reservations:
    def __init__(
        self,
        storage: Storage,
        pms: PmsClient,
        flags: FeatureFlags,
        metrics: Metrics,
        notifier: BookingNotifier | None = None,
    ) -> None:
        self.storage = storage
        self.pms = pms
        self.flags = flags
        self.metrics = metrics
        self.notifier = notifier

    async def accepting_bookings(self) -> bool:
        """Whether new bookings may be made (the ``bookings.enabled`` kill switch), so the
        dialogue can say so when a booking starts rather than at its last step."""
        return await self.flags.is_enabled(BOOKINGS_FLAG)

    async def reserve(
        self,
        request: BookingRequest,
        *,
        session_id: uuid.UUID | None = None,
        party: tuple[int, int] | None = None,
    ) -> StoredBooking:
        """Book, or record a pending booking. Raises ``RoomsNotAvailableError`` / ``PmsRejectedError``
        when the PMS says no, ``PmsUnavailableError`` when it cannot be asked and fallback is off,
        ``BookingsDisabledError`` when the kill switch is off. ``party`` (adults, children) is the
        whole party to record, when the request spreads it over several rooms."""
        async with self.storage.begin() as uow:
            existing = await uow.bookings.by_idempotency_key(request.idempotency_key)
        if existing is not None:
            return existing
        if not await self.flags.is_enabled(BOOKINGS_FLAG):
            raise BookingsDisabledError("new bookings are switched off (bookings.enabled)")
        try:
            booking = await self.pms.create_booking(request)
        except PmsUnavailableError:
            if not await self.flags.is_enabled(FALLBACK_FLAG):
                raise
            return await self._record_pending(request, session_id, party)
        if self.notifier is not None:
            await self.notifier.prepare()
        async with self.storage.begin() as uow:
            new = _applied(_new_booking(request, session_id, party, status="confirmed"), booking)
            record = await uow.bookings.add(new)
            if self.notifier is not None:
                await self.notifier.confirmed(uow, record)
        self.metrics.bookings.labels("confirmed").inc()
        log.info("booking confirmed", reference=record.reference, pms_booking_id=booking.id)
        return record

    async def _record_pending(
        self, request: BookingRequest, session_id: uuid.UUID | None, party: tuple[int, int] | None
    ) -> StoredBooking:
        async with self.storage.begin() as uow:
            record = await uow.bookings.add(_new_booking(request, session_id, party, status="pending"))
            await uow.outbox.enqueue(
                PENDING_JOB,
                {"record_id": record.id, "request": request_payload(request)},
                dedup_key=f"{PENDING_JOB}:{request.idempotency_key}",
                max_attempts=200,
            )
        self.metrics.bookings.labels("pending").inc()
        log.warning("PMS unavailable: booking stored as pending", reference=record.reference)
        return record

    async def complete_pending(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Outbox handler: make a pending booking now (look for it first), record the outcome.

        Raises :class:`~agente.outbox.UnreadablePayloadError` (the job is dead at once) when
        the payload is not a pending booking's: every retry would read the same payload."""
        try:
            request = request_from_payload(payload["request"])
            record_id = payload["record_id"]
            if not isinstance(record_id, int) or isinstance(record_id, bool):
                raise TypeError("record_id is not a whole number")
        except (KeyError, TypeError, ValueError, ArithmeticError, PmsRejectedError) as exc:
            # Only the error's type and a key name: its text could quote the guest's details.
            missing = f" {exc}" if isinstance(exc, KeyError) else ""
            raise UnreadablePayloadError(f"unreadable {PENDING_JOB} job: {type(exc).__name__}{missing}") from exc
        async with self.storage.begin() as uow:
            record = await uow.bookings.get(record_id)
        if record is None or record.status != "pending":
            return {"skipped": "not pending"}
        try:
            booking = await self.pms.find_booking(request) or await self.pms.create_booking(request)
        except CircuitOpenError as exc:
            raise RetryLater(str(exc), delay=max(1.0, exc.retry_in), spend_attempt=False) from exc
        except PmsRejectedError as exc:
            await self._settle(record_id, None, failure=str(exc))
            return {"status": "failed", "reason": str(exc)}
        await self._settle(record_id, booking)
        return {"status": "confirmed", "pms_booking_id": booking.id}

    async def _settle(self, record_id: int, booking: Booking | None, *, failure: str | None = None) -> None:
        if booking is not None and self.notifier is not None:
            await self.notifier.prepare()
        async with self.storage.begin() as uow:
            record = await uow.bookings.get(record_id)
            if record is None:
                return
            if booking is not None:
                record = await uow.bookings.save(replace(_applied(record, booking), status="confirmed"))
                if self.notifier is not None:
                    await self.notifier.confirmed(uow, record)
            else:
                record = await uow.bookings.save(replace(record, status="failed", failure_reason=failure))
        self.metrics.bookings.labels(record.status).inc()
        log.info("pending booking settled", reference=record.reference, status=record.status, reason=failure)

    async def cancel(self, reference: str) -> StoredBooking:
        """Cancel at the PMS (a pending booking is simply not made) and record it."""
        record = await self._require(reference)
        if record.pms_booking_id and record.status != "cancelled":
            await self.pms.cancel_booking(record.pms_booking_id)
        async with self.storage.begin() as uow:
            stored = await uow.bookings.get(record.id)
            assert stored is not None
            record = await uow.bookings.save(replace(stored, status="cancelled"))
        self.metrics.bookings.labels("cancelled").inc()
        log.info("booking cancelled", reference=reference)
        return record

    async def modify(self, reference: str, change: BookingChange) -> StoredBooking:
        """Change the stay at the PMS (re-priced there) and record the result."""
        record = await self._require(reference)
        if not record.pms_booking_id:
            raise PmsRejectedError("the booking is still pending confirmation and cannot be changed yet")
        booking = await self.pms.modify_booking(record.pms_booking_id, change)
        async with self.storage.begin() as uow:
            stored = await uow.bookings.get(record.id)
            assert stored is not None
            changed = replace(
                _applied(stored, booking), adults=booking.adults, children=booking.children, rooms=booking.rooms
            )
            record = await uow.bookings.save(changed)
        log.info("booking modified", reference=reference)
        return record

    async def _require(self, reference: str) -> StoredBooking:
        record = await self.by_reference(reference)
        if record is None:
            raise BookingNotFoundError(f"no booking {reference}")
        return record

    async def by_reference(self, reference: str) -> StoredBooking | None:
        async with self.storage.begin() as uow:
            return await uow.bookings.by_reference(reference.upper())


def _new_booking(
    request: BookingRequest, session_id: uuid.UUID | None, party: tuple[int, int] | None, *, status: str
) -> NewBooking:
    stay, guest = request.stay, request.guest
    adults, children = party or (stay.adults * stay.rooms, stay.children * stay.rooms)
    return NewBooking(
        reference=new_reference(),
        idempotency_key=request.idempotency_key,
        session_id=session_id,
        status=status,
        room_type_id=request.room_type_id,
        check_in=stay.check_in,
        check_out=stay.check_out,
        adults=adults,
        children=children,
        rooms=stay.rooms,
        quoted_total=request.quoted_total,
        guest_first_name=guest.first_name,
        guest_last_name=guest.last_name,
        guest_email=guest.email,
        guest_phone=guest.phone,
    )


def _applied(record: _Booking, booking: Booking) -> _Booking:
    """``record`` with what the PMS made of it: its id, price and (re-priced) stay."""
    return replace(
        record,
        pms_booking_id=booking.id,
        total_price=booking.total_price,
        currency=booking.currency,
        room_type_id=booking.room_type_id,
        check_in=booking.check_in,
        check_out=booking.check_out,
    )
