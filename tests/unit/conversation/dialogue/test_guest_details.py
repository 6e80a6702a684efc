"""The guest-details step (ask_guest) and corrections at the summary: every kind of answer.

Messages are given as the NLU hands them over: e-mail validated and lower-cased, phone in
E.164 (or its digits alone when the hotel's country cannot hold it), a name after a trigger.
"""

from __future__ import annotations

from agente.conversation.dialogue.state import Step
from agente.conversation.nlu.types import IntentName
from agente.pms.types import GUEST_EMAIL_MAX, GUEST_NAME_PART_MAX
from tests.unit.conversation.dialogue.desk import Desk, en

ROOM = "Standard Double"


async def _asked_for_name(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    assert desk.step is Step.ASK_GUEST and desk.slots.guest_name is None


async def test_all_details_in_one_line_without_labels(desk: Desk) -> None:
    await _asked_for_name(desk)
    outcome = await desk.send(
        "Ana López ana.l90@gmail.com +34 612 34 56 78", email="ana.l90@gmail.com", phone="+34612345678"
    )
    s = outcome.slots
    assert (s.guest_name, s.email, s.phone) == ("Ana López", "ana.l90@gmail.com", "+34612345678")
    assert outcome.step is Step.CONFIRM_BOOKING


async def test_details_on_separate_lines_with_labels_in_any_order(desk: Desk) -> None:
    await _asked_for_name(desk)
    outcome = await desk.send(
        "tel: +1 305 555 0142\nemail - maria.lopez1990@gmail.com\nMaria Lopez",
        email="maria.lopez1990@gmail.com",
        phone="+13055550142",
    )
    s = outcome.slots
    assert (s.guest_name, s.email, s.phone) == ("Maria Lopez", "maria.lopez1990@gmail.com", "+13055550142")


async def test_an_email_with_digits_is_the_email_never_the_phone(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Maria Lopez")
    outcome = await desk.send("maria.lopez1990@gmail.com", email="maria.lopez1990@gmail.com")
    assert outcome.replies == (en("ask_phone"),)
    assert outcome.slots.email == "maria.lopez1990@gmail.com" and outcome.slots.phone is None


async def test_asked_for_the_email_the_guest_gives_the_phone_first(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Maria Lopez")
    outcome = await desk.send("my cell is +44 7700 900123", phone="+447700900123")
    assert outcome.replies == (en("ask_email"),) and outcome.slots.phone == "+447700900123"


async def test_a_phone_without_country_code_is_asked_about_once(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Maria Lopez")
    await desk.send("maria@gmail.com", email="maria@gmail.com")
    outcome = await desk.send("612 345 678", phone="612345678")
    assert outcome.replies == (en("ask_phone_country", phone="612345678"),)
    assert outcome.step is Step.ASK_GUEST
    outcome = await desk.send("it's a Spanish number, +34")
    assert outcome.step is Step.CONFIRM_BOOKING and outcome.slots.phone == "+34612345678"


async def test_the_country_named_completes_the_phone(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Ana, ana@gmail.com, 612345678", guest_name="Ana", email="ana@gmail.com", phone="612345678")
    outcome = await desk.send("España", language="es")
    assert outcome.slots.phone == "+34612345678" and outcome.step is Step.CONFIRM_BOOKING


async def test_a_second_number_without_country_code_asks_for_the_full_number(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Ana, ana@gmail.com, 612345678", guest_name="Ana", email="ana@gmail.com", phone="612345678")
    outcome = await desk.send("612345678", phone="612345678")
    assert outcome.replies == (en("invalid_phone"),) and outcome.slots.phone is None
    outcome = await desk.send("+34 612 345 678", phone="+34612345678")
    assert outcome.step is Step.CONFIRM_BOOKING


async def test_digits_that_are_no_phone_are_asked_again(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Ana, ana@gmail.com", guest_name="Ana", email="ana@gmail.com")
    outcome = await desk.send("555 01")
    assert outcome.replies == (en("invalid_phone"),) and outcome.step is Step.ASK_GUEST


async def test_a_name_with_a_digit_is_asked_again_saying_why(desk: Desk) -> None:
    await _asked_for_name(desk)
    outcome = await desk.send("Ana López 2")
    assert outcome.replies == (en("invalid_name"),) and outcome.slots.guest_name is None


async def test_a_name_with_a_digit_never_loops_after_email_phone_and_yes(desk: Desk) -> None:
    await _asked_for_name(desk)
    outcome = await desk.send("Ana2 López, ana@gmail.com", email="ana@gmail.com")
    assert outcome.replies == (en("invalid_name"),) and outcome.slots.email == "ana@gmail.com"
    outcome = await desk.send("+34 612 345 678", phone="+34612345678")
    assert outcome.replies == (en("ask_name", room=ROOM),) and outcome.slots.phone == "+34612345678"
    outcome = await desk.send("Ana López")
    assert outcome.step is Step.CONFIRM_BOOKING
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.slots.last_reference is not None and outcome.step is Step.IDLE


async def test_a_name_with_particles_is_a_name(desk: Desk) -> None:
    await _asked_for_name(desk)
    outcome = await desk.send("maría josé de la fuente")
    assert outcome.slots.guest_name == "María José de la Fuente" and outcome.replies == (en("ask_email"),)


async def test_a_name_in_another_script_is_a_name(desk: Desk) -> None:
    await _asked_for_name(desk)
    outcome = await desk.send("Иван Петров")
    assert outcome.slots.guest_name == "Иван Петров" and outcome.replies == (en("ask_email"),)


async def test_a_malformed_email_is_asked_again(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Ana López")
    outcome = await desk.send("ana.lopez@gmail")
    assert outcome.replies == (en("invalid_email"),) and outcome.slots.email is None


async def test_a_name_too_long_for_the_pms_is_asked_again(desk: Desk) -> None:
    await _asked_for_name(desk)
    long_name = "Bartholomew " + "Abcdefghij" * 4
    outcome = await desk.send(long_name, guest_name=long_name)
    assert outcome.replies == (en("name_too_long", max=GUEST_NAME_PART_MAX),) and outcome.slots.guest_name is None


async def test_an_email_too_long_for_the_pms_is_asked_again(desk: Desk) -> None:
    await _asked_for_name(desk)
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 10 + ".com"
    outcome = await desk.send(f"Ana, {email}", guest_name="Ana", email=email)
    assert outcome.replies == (en("email_too_long", max=GUEST_EMAIL_MAX),) and outcome.slots.email is None


async def test_no_my_email_is_corrects_the_email_and_keeps_the_booking(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send("Ana López, ana@gmail.com", guest_name="Ana López", email="ana@gmail.com")
    outcome = await desk.send("no, my email is ana.lopez@gmail.com", IntentName.DENY, email="ana.lopez@gmail.com")
    assert outcome.replies == (en("ask_phone"),) and outcome.slots.email == "ana.lopez@gmail.com"


async def test_a_correction_at_the_summary_is_summarised_again(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("no, the phone is +44 7700 900123", IntentName.DENY, phone="+447700900123")
    assert outcome.step is Step.CONFIRM_BOOKING and outcome.slots.phone == "+447700900123"
    assert "+44 7700 900123" in outcome.replies[0] and outcome.slots.quote
    outcome = await desk.send("yes", IntentName.AFFIRM)
    stored = await desk.stored(outcome.slots.last_reference or "")
    assert stored.guest_phone == "+447700900123"


async def test_the_booking_reaches_the_pms_with_e164_and_the_split_name(desk: Desk) -> None:
    await _asked_for_name(desk)
    await desk.send(
        "María de la Fuente, Maria.F@Gmail.com, +34 612 34 56 78",
        guest_name="María de la Fuente",
        email="maria.f@gmail.com",
        phone="+34 612 34 56 78",
    )
    outcome = await desk.send("yes", IntentName.AFFIRM)
    stored = await desk.stored(outcome.slots.last_reference or "")
    assert (stored.guest_first_name, stored.guest_last_name) == ("María", "de la Fuente")
    assert (stored.guest_email, stored.guest_phone) == ("maria.f@gmail.com", "+34612345678")


async def test_a_chat_word_while_waiting_for_the_name_is_not_a_name(desk: Desk) -> None:
    await _asked_for_name(desk)
    outcome = await desk.send("hold on", IntentName.OUT_OF_SCOPE, confidence=0.3)
    assert outcome.slots.guest_name is None
    assert outcome.replies == (en("clarify"), en("ask_name", room=ROOM))
