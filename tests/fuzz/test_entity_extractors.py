"""The NLU entity extractors on arbitrary and adversarial text up to 10 kB.

Each call must return (never raise), within :data:`~tests.fuzz.strategies.CALL_BUDGET` CPU
seconds, and what it returns must hold together: a stay's check-out after its check-in
with the nights between them, counts within what a message can say, an e-mail, phone or
reference that is really in the text, a room type from the catalog.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, timedelta

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from agente.conversation.nlu.entities.booking_ref import REFERENCE_ALPHABET, extract_booking_ref
from agente.conversation.nlu.entities.contact import (
    bare_name,
    calling_code,
    extract_email,
    extract_guest_name,
    extract_phone,
    malformed_email,
    name_with_digits,
)
from agente.conversation.nlu.entities.counts import extract_count_answer, extract_party
from agente.conversation.nlu.entities.dates import extract_stay
from agente.conversation.nlu.entities.polarity import ACTIONS, extract_polarity
from agente.conversation.nlu.entities.room_choice import extract_room_choice
from agente.conversation.nlu.entities.room_type import match_room_type
from agente.conversation.nlu.entities.topic import (
    TOPIC_ITEMS,
    asks_total,
    extract_off_topic,
    extract_topic,
    extract_topic_items,
    extract_topics,
)
from agente.conversation.nlu.types import TOPICS
from tests.fuzz.strategies import CALL_BUDGET, adversarial_text, cpu_seconds, fuzz_settings

LANGUAGES = st.sampled_from(["es", "en"])
REFERENCES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
CATALOG = [(1, "Doble Estándar"), (2, "Suite Junior"), (3, "Deluxe Ocean View"), (4, "Individual")]
# A count is at most two digits; the relatives a message lists add one each.
MAX_PEOPLE = 10_000


@fuzz_settings(60)
@given(text=adversarial_text(), language=LANGUAGES, action=st.sampled_from([*ACTIONS, None]))
def test_answers_in_context_hold_together(text: str, language: str, action: str | None) -> None:
    """A yes/no, a room choice and a bare count, read from any text, within the budget."""
    (said, choice, count), spent = cpu_seconds(
        lambda: (
            extract_polarity(text, language, action),
            extract_room_choice(text, language),
            extract_count_answer(text, language),
        )
    )
    assert spent < CALL_BUDGET, f"reading the answers took {spent:.3f} s of CPU"
    assert said in (True, False, None)
    if choice is not None and choice.value is not None:
        assert 0 <= choice.value <= 99
    assert count is None or 1 <= count <= 30


@fuzz_settings(60)
@given(text=adversarial_text(), language=LANGUAGES, reference=REFERENCES)
def test_stay_dates_hold_together(text: str, language: str, reference: date) -> None:
    stay, spent = cpu_seconds(lambda: extract_stay(text, language, reference))
    assert spent < CALL_BUDGET, f"extract_stay took {spent:.3f} s of CPU"
    if stay.check_in is not None and stay.check_out is not None:
        assert stay.check_out > stay.check_in
        assert stay.nights == (stay.check_out - stay.check_in).days
    if stay.nights is not None:
        assert stay.nights >= 1
    first = stay.check_in or stay.check_out
    assert stay.in_past == (first is not None and first < reference)
    if first is None:
        assert not stay.in_past


@fuzz_settings(60)
@given(text=adversarial_text(), language=LANGUAGES)
def test_party_counts_are_non_negative_and_bounded(text: str, language: str) -> None:
    party, spent = cpu_seconds(lambda: extract_party(text, language))
    assert spent < CALL_BUDGET, f"extract_party took {spent:.3f} s of CPU"
    for count in (party.adults, party.children, party.rooms):
        assert count is None or 0 <= count <= MAX_PEOPLE
    if party.rooms is not None:
        assert party.rooms <= 99


@fuzz_settings(60)
@given(text=adversarial_text())
def test_an_extracted_email_is_in_the_text(text: str) -> None:
    email, spent = cpu_seconds(lambda: extract_email(text))
    assert spent < CALL_BUDGET, f"extract_email took {spent:.3f} s of CPU"
    if email is not None:
        assert email in text.lower()
        local, _, domain = email.partition("@")
        assert local and "." in domain


@fuzz_settings(60)
@given(text=adversarial_text())
def test_an_extracted_phone_is_in_the_text(text: str) -> None:
    phone, spent = cpu_seconds(lambda: extract_phone(text, "US"))
    assert spent < CALL_BUDGET, f"extract_phone took {spent:.3f} s of CPU"
    if phone is not None:
        digits = phone.removeprefix("+")
        assert len(digits) <= 15 and re.fullmatch(r"\d+", digits)
        if phone.startswith("+"):
            # E.164: the number without its country code was written in the text.
            assert phonenumbers.is_possible_number(phonenumbers.parse(phone))
            digits = str(phonenumbers.parse(phone).national_number)
        else:
            assert len(digits) >= 9
        # Only separators stand between a phone's digits, so they are a run of the text's digits.
        assert digits in re.sub(r"\D", "", text)


@fuzz_settings(60)
@given(text=adversarial_text())
def test_a_bare_name_is_letters_and_malformed_emails_are_in_the_text(text: str) -> None:
    name, spent = cpu_seconds(lambda: (bare_name(text), name_with_digits(text), calling_code(text)))
    assert spent < CALL_BUDGET, f"the name and country readers took {spent:.3f} s of CPU"
    if name[0] is not None:
        assert not re.search(r"\d", name[0]) and 1 <= len(name[0].split()) <= 8
    bad, spent = cpu_seconds(lambda: malformed_email(text))
    assert spent < CALL_BUDGET, f"malformed_email took {spent:.3f} s of CPU"
    if bad is not None:
        assert "@" in bad and bad in text


@fuzz_settings(60)
@given(text=adversarial_text(), language=LANGUAGES)
def test_a_guest_name_is_a_few_words(text: str, language: str) -> None:
    name, spent = cpu_seconds(lambda: extract_guest_name(text, language))
    assert spent < CALL_BUDGET, f"extract_guest_name took {spent:.3f} s of CPU"
    if name is not None:
        assert 1 <= len(name.split(" ")) <= 4 and name == name.strip()


@fuzz_settings(60)
@given(text=adversarial_text())
def test_a_booking_reference_is_ours_and_in_the_text(text: str) -> None:
    reference, spent = cpu_seconds(lambda: extract_booking_ref(text))
    assert spent < CALL_BUDGET, f"extract_booking_ref took {spent:.3f} s of CPU"
    if reference is not None:
        assert reference.startswith("AH") and len(reference) == 8
        assert REFERENCE_ALPHABET.issuperset(reference[2:])
        assert reference[2:] in text.upper()


@fuzz_settings(60)
@given(text=adversarial_text(), language=LANGUAGES)
def test_a_room_type_is_one_of_the_catalog(text: str, language: str) -> None:
    mention, spent = cpu_seconds(lambda: match_room_type(text, language, CATALOG))
    assert spent < CALL_BUDGET, f"match_room_type took {spent:.3f} s of CPU"
    if mention is not None:
        assert mention.room_type_id is None or mention.room_type_id in {room_id for room_id, _ in CATALOG}
        assert 0.0 <= mention.score <= 1.0 + 1e-9


@fuzz_settings(60)
@given(text=adversarial_text(), language=LANGUAGES)
def test_the_questions_asked_are_known_ones(text: str, language: str) -> None:
    def read() -> tuple[tuple[str, ...], tuple[str, ...], str | None, bool]:
        return (
            extract_topics(text, language),
            extract_topic_items(text, language),
            extract_off_topic(text, language),
            asks_total(text, language),
        )

    (topics, items, off_topic, _), spent = cpu_seconds(read)
    assert spent < CALL_BUDGET, f"the topic readers took {spent:.3f} s of CPU"
    assert set(topics) <= set(TOPICS) and len(set(topics)) == len(topics)
    assert (extract_topic(text, language) in topics) if topics else extract_topic(text, language) is None
    assert set(items) <= set(TOPIC_ITEMS)
    assert off_topic in (None, "weather", "nearby", "arrange")


def test_the_extractors_stay_linear_on_known_worst_cases() -> None:
    """Inputs that took seconds before their regexes were bounded (each is 10 kB)."""
    worst = ["1," * 5_000, "1." * 5_000, " " * 10_000, "\n" * 10_000, "á" * 10_000, "ah." * 3_334, "(1" * 5_000]
    reference = date(2026, 11, 29)
    calls: list[Callable[[str], object]] = [
        lambda text: extract_stay(text, "en", reference),
        lambda text: extract_stay(text, "es", reference),
        lambda text: extract_party(text, "es"),
        lambda text: extract_phone(text, "US"),
        extract_email,
        malformed_email,
        bare_name,
        name_with_digits,
        calling_code,
        lambda text: extract_topics(text, "es"),
        lambda text: extract_off_topic(text, "en"),
        lambda text: asks_total(text, "en"),
    ]
    for text in worst:
        for call in calls:
            _, spent = cpu_seconds(functools.partial(call, text))
            assert spent < CALL_BUDGET, f"{spent:.3f} s of CPU on {text[:8]!r}..."
    assert extract_stay("del 12 al 15 de diciembre", "es", reference).check_out == date(2026, 12, 15)
    assert extract_stay("next friday for 3 nights", "en", reference).check_in == reference + timedelta(days=5)
