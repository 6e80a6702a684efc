"""The guest's details for a booking (step ``ask_guest``): read by their shape, checked before the summary.

Details come one a message or all at once, in any order, with or without labels: an e-mail
is a valid address (its digits are never a phone), a phone is in E.164, a name is letters.
A detail given again replaces the one before ("no, my email is …"), here and at the summary.
Before the summary every value is checked against what the PMS accepts (lengths, letters),
so a booking is never refused for them; a bad one is asked again with a reply saying why.
A phone written without country code that the hotel's country cannot hold is asked about
once ("which country is it from?").
"""

from __future__ import annotations

import re
from dataclasses import replace

import phonenumbers

from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.dialogue.turn import Message, Outcome, answer
from agente.conversation.nlu.entities.contact import (
    bare_name,
    calling_code,
    complete_phone,
    e164,
    extract_email,
    malformed_email,
    name_with_digits,
)
from agente.conversation.nlu.types import IntentName
from agente.pms.types import GUEST_EMAIL_MAX, GUEST_NAME_PART_MAX, GUEST_PHONE_MAX

# Messages that are chat, not a name, when they carry no contact detail ("gracias", "hola").
_CHATTY = (
    IntentName.AFFIRM,
    IntentName.DENY,
    IntentName.THANKS,
    IntentName.GREET,
    IntentName.GOODBYE,
    IntentName.HUMAN_HANDOFF,
)
# What QloApps takes as a name (Validate::isName refuses digits and most symbols): letters of
# any script, joined by blanks, apostrophes, hyphens or a period ("J. R.").
_NAME = re.compile(r"[^\W\d_]+\.?(?:(?:[ '’\-]|\. ?)[^\W\d_]+\.?)*")
_DIGITS = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d[\d\s().\-]{2,}")


def split_name(name: str) -> tuple[str, str]:
    """First name and the rest, as the PMS stores them ("María de la Fuente" -> "María", "de la Fuente")."""
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def placed(phone: str) -> bool:
    """The phone has its country ("+…"); without it the guest is to be asked which one."""
    return phone.startswith("+")


def display_phone(phone: str) -> str:
    """An E.164 phone as the guest reads it back: "+34 612 34 56 78"."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def gives_details(msg: Message) -> bool:
    """The message gives (or tries to give) a contact detail: an e-mail, a phone, a name."""
    e = msg.entities
    return bool(e.email or e.phone or e.guest_name) or malformed_email(msg.text) is not None


def take(msg: Message, slots: Slots) -> tuple[Slots, str | None, bool]:
    """Read ``msg`` as an answer with contact details, on ``slots`` that already hold the
    details the NLU found in it (``merge_entities``).

    Returns the slots, the reply key of a detail that cannot be taken (to ask it again), and
    whether the message gave any detail at all."""
    s, text, e = slots, msg.text, msg.entities
    gave = bool(e.email or e.phone or e.guest_name)
    problem: str | None = None
    if not e.email and malformed_email(text) is not None:
        s, problem, gave = replace(s, email=None), "invalid_email", True
    if not e.phone and s.phone and not placed(s.phone):
        # The answer to "which country is it from?": "+34", "34", "España", "UK".
        code = calling_code(text)
        if code is not None:
            completed = complete_phone(s.phone, code)
            s, gave = replace(s, phone=completed, phone_country_asked=False), True
            problem = problem or (None if completed else "invalid_phone")
    if not s.guest_name and not e.guest_name:
        if name_with_digits(text):
            # "Ana López 2": asked again, saying why, whatever else the message gave.
            problem, gave = problem or "invalid_name", True
        else:
            name = bare_name(text)
            if name and (e.email or e.phone or not msg.means(*_CHATTY)):
                s, gave = replace(s, guest_name=name), True
    if not gave and s.guest_name and s.email and not s.phone and _DIGIT_RUN.search(text):
        # Asked for the phone, the guest wrote digits that are no phone ("555 01").
        problem, gave = "invalid_phone", True
    return s, problem, gave


def check(msg: Message, slots: Slots) -> tuple[Slots, Outcome | None]:
    """The details normalised (e-mail lower-cased, phone in E.164), and the question that asks
    again, saying why, for one the PMS would refuse (None when every detail given is fine)."""
    s = slots
    if s.guest_name:
        first, last = split_name(s.guest_name)
        if _DIGITS.search(s.guest_name) or not _NAME.fullmatch(" ".join(s.guest_name.split())):
            return s, answer(Step.ASK_GUEST, replace(s, guest_name=None), msg.say("invalid_name"))
        if len(first) > GUEST_NAME_PART_MAX or len(last) > GUEST_NAME_PART_MAX:
            reply = msg.say("name_too_long", max=GUEST_NAME_PART_MAX)
            return s, answer(Step.ASK_GUEST, replace(s, guest_name=None), reply)
    if s.email:
        email = extract_email(s.email)
        if email is None or email != s.email.strip().lower():
            return s, answer(Step.ASK_GUEST, replace(s, email=None), msg.say("invalid_email"))
        if len(email) > GUEST_EMAIL_MAX:
            reply = msg.say("email_too_long", max=GUEST_EMAIL_MAX)
            return s, answer(Step.ASK_GUEST, replace(s, email=None), reply)
        s = replace(s, email=email)
    if s.phone and not placed(s.phone):
        if s.phone_country_asked or not (s.phone.isdigit() and 8 <= len(s.phone) <= 15):
            # Asked once already: the full number, with its country code, is asked for.
            reply = msg.say("invalid_phone")
            return s, answer(Step.ASK_GUEST, replace(s, phone=None, phone_country_asked=False), reply)
        reply = msg.say("ask_phone_country", phone=s.phone)
        return s, answer(Step.ASK_GUEST, replace(s, phone_country_asked=True), reply)
    if s.phone:
        try:
            phone = e164(phonenumbers.parse(s.phone, None))
        except phonenumbers.NumberParseException:
            phone = None
        if phone is None or len(phone) > GUEST_PHONE_MAX:
            return s, answer(Step.ASK_GUEST, replace(s, phone=None), msg.say("invalid_phone"))
        s = replace(s, phone=phone)
    return s, None
