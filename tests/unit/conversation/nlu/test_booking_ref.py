from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.booking_ref import REFERENCE_ALPHABET, extract_booking_ref


@pytest.mark.parametrize(
    "text, reference",
    [
        ("mi localizador es ah7c3p9q", "AH7C3P9Q"),
        ("booking ref AH7K3P9Q", "AH7K3P9Q"),
        ("AH-7C3P9Q", "AH7C3P9Q"),
        ("ref: ah 7c3p9q", "AH7C3P9Q"),
        ("el codigo es AH 3FG7KM", "AH3FG7KM"),
        ("my reference is ah-9wx4tc", "AH9WX4TC"),
        ("booking AH-ACDEFG", "AHACDEFG"),
        ("please cancel my booking AH7C3P9Q.", "AH7C3P9Q"),
        ("reserva AH7B3P9Q", None),
        ("conf number AHQ7M2LP", None),
        ("is it AH12345?", None),
        ("AH7C3P9Q1", None),
        ("xAH7C3P9Q", None),
        ("ahora mismo no tengo la reserva", None),
        ("ah really? thanks", None),
        ("AH REALLY", None),
        ("ahhhhhhh", None),
    ],
)
def test_booking_ref(text: str, reference: str | None) -> None:
    assert extract_booking_ref(text) == reference


def test_alphabet_has_no_look_alikes() -> None:
    assert len(REFERENCE_ALPHABET) == 26
    assert not REFERENCE_ALPHABET & set("BIOSZ01258")
