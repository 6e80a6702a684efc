from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.numbers import words_to_digits
from agente.conversation.nlu.entities.text import Speller, fold, normalise


def test_fold_keeps_the_length() -> None:
    text = "Ñandú MÉXICO İstanbul àéîõü"
    assert len(fold(text)) == len(text)
    assert fold("Ñandú MÉXICO") == "nandu mexico"


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("es", "tres noches", "3 noches"),
        ("es", "veintitrés de mayo", "23 de mayo"),
        ("es", "treinta y uno", "31"),
        ("es", "once noches", "11 noches"),
        ("en", "once a week", "once a week"),
        ("en", "twenty-one", "21"),
        ("en", "the third of march", "the 3th of march"),
        ("en", "the third room", "the third room"),
        ("es", "el primero de enero", "el 1º de enero"),
    ],
)
def test_words_to_digits(language: str, text: str, expected: str) -> None:
    assert words_to_digits(fold(text), language) == expected


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("es", "Kiero 3 nochs en diciembr x fa", "quiero 3 noches en diciembre por favor"),
        ("en", "tmrw 2 nigths, check-in 3rd", "tomorrow 2 nights, checkin 3º"),
        ("es", "el finde", "el fin de semana"),
        ("es", "personal", "personal"),
    ],
)
def test_normalise(language: str, text: str, expected: str) -> None:
    assert normalise(text, language) == expected


def test_speller_leaves_ambiguous_words() -> None:
    speller = Speller(["junio", "julio", "diciembre"])
    assert speller.word("diciembr") == "diciembre"
    assert speller.word("jubio") == "jubio"
