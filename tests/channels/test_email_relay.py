"""The email jobs end to end: webhook → outbox → conversation → SMTP (a real in-process server),
on the embedded settings and on PostgreSQL + Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from agente.channels.email.jobs import SEND_JOB
from agente.config import Settings
from agente.observability.logging import configure_logging
from agente.pms.adapters.simulator_faults import SimulatorFaults
from agente.pms.types import BookingRequest, GuestDetails, StayQuery
from agente.storage import db
from agente.storage.models import BookingRecord, Message, OutboxJob, SentEmail
from tests.channels.email_helpers import HOTEL_FROM, drain, email_form, email_settings, post_email, relay, sends
from tests.channels.smtp_double import SmtpServer, smtp_server
from tests.conftest import Running

MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return email_settings(settings, smtp)


async def _jobs(service: Running, kind: str) -> list[OutboxJob]:
    async with db.session_scope(service.container.session_factory) as session:
        return list((await session.execute(select(OutboxJob).where(OutboxJob.kind == kind))).scalars())


async def test_an_email_is_answered_by_email_in_its_thread(
    service: Running, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    text = (
        "Hola, buenas tardes\n\n"
        "El lun, 30 nov 2026 a las 10:00, The Hotel Prime <reservas@hotel.example> escribió:\n"
        "> ¿En qué te ayudo?\n"
    )
    form = email_form(
        text,
        message_id="<guest-2@mail.example.com>",
        subject="Re: Tu mensaje",
        in_reply_to="<ours-1@hotel.example>",
        references="<guest-1@mail.example.com> <ours-1@hotel.example>",
    )
    assert (await post_email(service, form)).status_code == 202
    await drain(service.container)

    (received,) = smtp.received
    mail = received.message
    assert received.rcpt_tos == ["ana@example.com"] and received.mail_from == "reservas@hotel.example"
    assert mail["From"] == HOTEL_FROM and mail["To"] == "ana@example.com"
    assert mail["Subject"] == "Re: Tu mensaje"
    assert mail["In-Reply-To"] == "<guest-2@mail.example.com>"
    assert mail["References"].split() == [
        "<guest-1@mail.example.com>",
        "<ours-1@hotel.example>",
        "<guest-2@mail.example.com>",
    ]
    assert mail["Message-ID"].endswith("@hotel.example>")
    assert mail["Auto-Submitted"] == "auto-replied"
    assert "asistente virtual de The Hotel Prime" in mail.get_content()

    async with db.session_scope(service.container.session_factory) as session:
        inbound, outbound = (await session.execute(select(Message).order_by(Message.created_at))).scalars().all()
        sent = (await session.execute(select(SentEmail))).scalar_one()
    # The conversation read what the guest wrote, not the quoted history.
    assert (inbound.text, inbound.channel, inbound.channel_message_id) == (
        "Hola, buenas tardes",
        "email",
        "<guest-2@mail.example.com>",
    )
    assert (outbound.status, outbound.channel_message_id) == ("sent", mail["Message-ID"])
    assert (sent.message_id, sent.kind) == (mail["Message-ID"], "reply")
    assert sends(service.container, "sent") == 1
    messages_in = service.container.metrics.registry.get_sample_value(
        "conversation_messages_total", {"channel": "email", "direction": "in", "language": "es", "intent": "greet"}
    )
    assert messages_in == 1

    logged = capsys.readouterr().out
    assert "ana@example.com" not in logged and "buenas tardes" not in logged and "asistente virtual" not in logged


async def test_a_message_is_answered_once_and_a_send_that_runs_again_sends_nothing(
    service: Running, smtp: SmtpServer
) -> None:
    form = email_form("Hola")
    await post_email(service, form)
    (delivery,) = await _jobs(service, "email.delivery")
    await drain(service.container)
    # The delivery handled again (an operator retrying it, a worker dying before recording it).
    await service.container.email.process_delivery(delivery.payload)
    (send,) = await _jobs(service, SEND_JOB)
    again = await service.container.email.send(send.payload)

    assert again == {"already_sent": send.payload["message_id"]}
    assert len(smtp.received) == 1
    assert smtp.received[0].message["Message-ID"] == send.payload["message_id"]


async def test_a_transient_smtp_failure_is_retried_with_backoff_then_sent_once(
    service: Running, smtp: SmtpServer
) -> None:
    smtp.fail_next("451 4.7.1 Greylisted, please try again later")
    await post_email(service, email_form("Hola"))
    worker = relay(service.container)
    await worker.run_once()  # the delivery: answered, send queued
    await worker.run_once()  # the send: 451
    (job,) = await _jobs(service, SEND_JOB)
    assert (job.status, job.attempts) == ("pending", 1)
    assert job.last_error is not None and "451" in job.last_error and "ana@example.com" not in job.last_error
    assert job.next_attempt_at > datetime.now(job.next_attempt_at.tzinfo) + timedelta(milliseconds=500)
    assert await worker.run_once() == 0  # not due yet: backing off
    assert smtp.received == [] and sends(service.container, "retry") == 1

    assert await relay(service.container, later=600).run_once() == 1
    (job,) = await _jobs(service, SEND_JOB)
    assert (job.status, job.attempts) == ("done", 2)
    assert len(smtp.received) == 1 and sends(service.container, "sent") == 1


async def test_a_permanent_smtp_refusal_kills_the_job_and_says_so(
    service: Running, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    smtp.fail_next("550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown")
    await post_email(service, email_form("Hola"))
    await drain(service.container)

    (job,) = await _jobs(service, SEND_JOB)
    assert (job.status, job.attempts) == ("dead", 1)
    assert smtp.received == [] and sends(service.container, "failed") == 1
    dead = service.container.metrics.registry.get_sample_value(
        "outbox_jobs_total", {"kind": SEND_JOB, "outcome": "dead"}
    )
    assert dead == 1
    async with db.session_scope(service.container.session_factory) as session:
        reply = (await session.execute(select(Message).where(Message.direction == "out"))).scalar_one()
    assert reply.status == "failed"
    (line,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "email refused" in line]
    assert line["level"] == "error" and line["code"] == 550
    assert "ana@example.com" not in json.dumps(line)


def _stay_phrase(today: datetime) -> tuple[str, str, str]:
    check_in = (today + timedelta(days=40)).date()
    return (
        f"Quiero reservar 3 noches desde el {check_in.day} de {MONTHS_ES[check_in.month - 1]}, somos 2 adultos",
        check_in.isoformat(),
        (check_in + timedelta(days=3)).isoformat(),
    )


async def test_a_booking_made_by_email_is_confirmed_by_email(service: Running, smtp: SmtpServer) -> None:
    phrase, check_in, check_out = _stay_phrase(datetime.now(ZoneInfo(service.container.settings.hotel_timezone)))
    for text in (phrase, "la primera", "Ana García", "ana.garcia@example.com", "+34 600 111 222", "sí"):
        assert (await post_email(service, email_form(text, subject="Reserva"))).status_code == 202
        await drain(service.container)

    async with db.session_scope(service.container.session_factory) as session:
        booking = (await session.execute(select(BookingRecord))).scalar_one()
    assert (booking.status, booking.check_in.isoformat(), booking.check_out.isoformat()) == (
        "confirmed",
        check_in,
        check_out,
    )
    (confirmation,) = [r for r in smtp.received if r.message["Auto-Submitted"] == "auto-generated"]
    mail = confirmation.message
    assert confirmation.rcpt_tos == ["ana.garcia@example.com"]
    assert mail["Subject"] == f"Reserva confirmada {booking.reference} · The Hotel Prime"
    body = mail.get_content()
    assert f"Referencia: {booking.reference}" in body and "Habitación: General Rooms" in body
    assert "Huéspedes: 2 adultos" in body and "Total: " in body and " USD" in body
    # The chat's last reply went by email too, with the same reference.
    replies = [r.message.get_content() for r in smtp.received if r.message["Auto-Submitted"] == "auto-replied"]
    assert len(replies) == 6 and booking.reference in replies[-1]
    async with db.session_scope(service.container.session_factory) as session:
        marks = (await session.execute(select(SentEmail).where(SentEmail.kind == "confirmation"))).scalars().all()
    assert [m.booking_reference for m in marks] == [booking.reference]


async def test_a_web_chat_booking_with_an_email_is_confirmed_by_email_in_english(
    service: Running, smtp: SmtpServer
) -> None:
    today = datetime.now(ZoneInfo(service.container.settings.hotel_timezone))
    check_in = (today + timedelta(days=40)).date()
    stay = f"I'd like to book 3 nights from {check_in.strftime('%B')} {check_in.day} for 2 adults"
    for text in (stay, "the first one", "John Smith", "john@example.org", "+1 305 555 0100", "yes"):
        response = await service.client.post("/api/messages", json={"guest_id": "web-7", "text": text})
        assert response.status_code == 200
    reference = response.json()["reply"]["text"].split("reference is ")[1][:8]
    (job,) = await _jobs(service, SEND_JOB)
    assert job.dedup_key == f"{SEND_JOB}:confirmation:{reference}"
    await drain(service.container)

    (received,) = smtp.received
    assert received.rcpt_tos == ["john@example.org"]
    assert received.message["Subject"] == f"Booking confirmed {reference} · The Hotel Prime"
    assert received.message["Content-Language"] == "en"
    assert f"Reference: {reference}" in received.message.get_content()


async def test_a_pending_booking_is_confirmed_by_email_once_the_pms_makes_it(
    service: Running, smtp: SmtpServer
) -> None:
    container = service.container
    await container.flags.set("pms.fallback.enabled", True)
    await container.pms_faults.set(SimulatorFaults(down=True))
    check_in = date.today() + timedelta(days=50)
    request = BookingRequest(
        StayQuery(check_in, check_in + timedelta(days=2), adults=2),
        2,
        GuestDetails("Ada", "Lovelace", "Ada@Example.com", "+34600000001"),
        "pending-guest:1",
    )
    pending = await container.reservations.reserve(request)
    assert pending.status == "pending"
    assert await _jobs(service, SEND_JOB) == []  # nothing is confirmed yet

    await container.pms_faults.set(SimulatorFaults(down=False))
    await container.pms.breaker.reset()
    await drain(container)

    (received,) = smtp.received
    assert received.rcpt_tos == ["ada@example.com"]
    assert received.message["Subject"] == f"Reserva confirmada {pending.reference} · The Hotel Prime"
    body = received.message.get_content()
    assert body.startswith("Hola Ada:") and "Habitación: Delux Rooms" in body and "2 noches" in body


async def test_a_worker_dying_after_sending_does_not_make_the_next_one_send_again(
    service: Running, smtp: SmtpServer
) -> None:
    await post_email(service, email_form("Hola"))
    await relay(service.container).run_once()  # the delivery: the send is queued
    # A worker claims the send, sends, and dies before recording the job as done.
    dying = relay(service.container)
    (claimed,) = await dying._claim()
    payload = claimed.payload
    await service.container.email.send(payload)
    assert len(smtp.received) == 1

    assert await relay(service.container).run_once() == 0  # its lease still holds the job
    assert await relay(service.container, later=120).run_once() == 1  # the lease ran out: run again
    (job,) = await _jobs(service, SEND_JOB)
    assert job.status == "done" and job.result == {"already_sent": payload["message_id"]}
    assert len(smtp.received) == 1


async def test_staff_replies_reach_an_email_guest_in_the_thread(service: Running, smtp: SmtpServer) -> None:
    form = email_form(
        "Quiero hablar con una persona de recepción, por favor",
        message_id="<guest-h@mail.example.com>",
        subject="Consulta grupo",
    )
    assert (await post_email(service, form)).status_code == 202
    await drain(service.container)
    smtp.received.clear()
    headers = {"Authorization": "Bearer test-token"}
    listed = (await service.client.get("/admin/conversations", headers=headers)).json()["conversations"]
    (convo,) = [c for c in listed if c["channel"] == "email"]
    answer = await service.client.post(
        f"/admin/conversations/{convo['id']}/reply", json={"text": "Hola Ana, le escribe Marta."}, headers=headers
    )
    assert answer.status_code == 200
    await drain(service.container)

    (received,) = smtp.received
    mail = received.message
    assert received.rcpt_tos == ["ana@example.com"]
    assert mail["Subject"] == "Re: Consulta grupo"
    assert mail["In-Reply-To"] == "<guest-h@mail.example.com>"
    assert "le escribe Marta" in mail.get_content()
