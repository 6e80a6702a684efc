from __future__ import annotations

import pytest

from agente.conversation.nlu.entities.polarity import extract_polarity


@pytest.mark.parametrize(
    "language, action, text",
    [
        ("es", "cancel", "sí, cancélala"),
        ("es", "cancel", "si porfa cancelala ya"),
        ("en", "cancel", "yes please, go ahead and cancel it"),
        ("en", "cancel", "yep do it"),
        ("es", "book", "dale, confirma"),
        ("es", "book", "vale perfecto, adelante"),
        ("es", "book", "venga, resérvala"),
        ("es", "book", "siii"),
        ("en", "book", "ok perfect book it"),
        ("en", "book", "sure, why not"),
        ("en", "book", "no problem, go ahead"),
        ("en", "book", "that's right"),
        ("en", "book", "👍"),
        ("es", "modify", "sí, cámbiala"),
        ("en", "modify", "yes change it"),
        ("es", "cancel", "no, que sí, cancélala"),
    ],
)
def test_yes_with_words_around_it(language: str, action: str, text: str) -> None:
    assert extract_polarity(text, language, action) is True


@pytest.mark.parametrize(
    "language, action, text",
    [
        ("es", "book", "no mejor no"),
        ("es", "book", "no, cancela"),
        ("es", "cancel", "uy no no, no la canceles"),
        ("en", "cancel", "don't cancel it"),
        ("en", "cancel", "nah leave it"),
        ("es", "modify", "mejor no lo cambies"),
        ("es", "modify", "no, está bien así"),
        ("es", "cancel", "claro que no"),
        ("en", "book", "forget it"),
    ],
)
def test_no_with_words_around_it(language: str, action: str, text: str) -> None:
    assert extract_polarity(text, language, action) is False


@pytest.mark.parametrize(
    "language, text",
    [("es", "espera un momento"), ("es", "no sé si quiero"), ("en", "hmm"), ("en", "yes, but wait"), ("es", "")],
)
def test_an_open_answer_is_neither(language: str, text: str) -> None:
    assert extract_polarity(text, language, "book") is None


def test_the_verb_of_another_action_is_no_yes() -> None:
    # Asked to book, "cancel" drops it; asked to cancel, it agrees.
    assert extract_polarity("cancélalo", "es", "book") is False
    assert extract_polarity("cancélalo", "es", "cancel") is True
