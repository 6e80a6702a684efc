from __future__ import annotations

import pytest

from agente.channels.whatsapp.text import TEXT_LIMIT, split_text, text_size


def test_text_size_counts_emoji_outside_the_bmp_twice() -> None:
    assert text_size("año") == 3
    assert text_size("hola 👋") == 7


def test_split_text_keeps_a_short_body_whole_and_drops_blank_ones() -> None:
    assert split_text("  Hola, ¿qué tal?\n") == ["Hola, ¿qué tal?"]
    assert split_text("x" * TEXT_LIMIT) == ["x" * TEXT_LIMIT]
    assert split_text(" \n\t ") == []


def test_split_text_prefers_paragraph_breaks() -> None:
    first, second = "Primera frase. " * 30, "Segunda parte. " * 30
    parts = split_text(f"{first.strip()}\n\n{second.strip()}", limit=600)
    assert parts == [first.strip(), second.strip()]


def test_split_text_falls_back_to_sentence_ends() -> None:
    sentences = [f"Frase número {i} del mensaje, bastante larga para llenar." for i in range(100)]
    parts = split_text(" ".join(sentences), limit=500)
    assert all(text_size(part) <= 500 for part in parts)
    assert all(part.endswith(".") for part in parts)
    assert " ".join(parts) == " ".join(sentences)


def test_split_text_cuts_at_spaces_then_anywhere() -> None:
    assert split_text("aaaa bbbb cccc", limit=9) == ["aaaa", "bbbb cccc"]
    assert split_text("abcdefghij", limit=4) == ["abcd", "efgh", "ij"]


def test_split_text_never_exceeds_the_limit_with_emoji() -> None:
    body = "🙂" * 5000
    parts = split_text(body)
    assert [text_size(part) for part in parts] == [4096, 4096, 1808]
    assert "".join(parts) == body


def test_split_text_of_a_long_reply_fits_whatsapp() -> None:
    paragraph = "La habitación doble superior tiene vistas al mar y desayuno incluido. ¿Le interesa? " * 12
    body = "\n\n".join(paragraph.strip() for _ in range(10))
    parts = split_text(body)
    assert len(parts) == 3
    assert all(0 < text_size(part) <= TEXT_LIMIT for part in parts)
    assert "\n\n".join(parts) == body


def test_split_text_rejects_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_text("hola", limit=0)
