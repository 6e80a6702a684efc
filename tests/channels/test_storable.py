from __future__ import annotations

import json

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agente.channels.storable import (
    MESSAGE_KEY_LENGTH,
    UNSTORABLE_MESSAGE,
    check_storable,
    is_storable,
    message_key,
    storable_text,
)
from tests.fuzz.strategies import fuzz_settings

# Any code point, unpaired surrogates and U+0000 included (Hypothesis leaves surrogates out by default).
ANY_TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]), st.just("\x00")), max_size=300)
EVERY_CODE_POINT = "".join(map(chr, range(0x110000)))


def test_storable_text_removes_only_nul_and_unpaired_surrogates() -> None:
    assert storable_text("Hola\x00 Ana \ud800👋\udfff") == "Hola Ana 👋"
    assert storable_text("¿Tenéis sitio? 🙏\n\t\ufffe\U0010ffff") == "¿Tenéis sitio? 🙏\n\t\ufffe\U0010ffff"
    assert storable_text("\x00\ud83d") == ""


def test_check_storable_refuses_without_quoting_the_text() -> None:
    assert check_storable("hola") == "hola"
    for text in ("secreto\x00", "secreto\udc80"):
        with pytest.raises(ValueError, match="cannot be stored") as caught:
            check_storable(text)
        assert "secreto" not in str(caught.value) and str(caught.value) == UNSTORABLE_MESSAGE


def test_message_key_keeps_ids_that_fit_and_digests_the_rest() -> None:
    short = "<a@b.example>"
    assert message_key(short) == short
    assert message_key("w" * MESSAGE_KEY_LENGTH) == "w" * MESSAGE_KEY_LENGTH
    for odd in ("<" + "x" * 200 + "@b.example>", "wamid.\x00", "wamid.\ud800"):
        key = message_key(odd)
        assert key.startswith("sha256:") and len(key) <= MESSAGE_KEY_LENGTH and key == message_key(odd)
    assert message_key("wamid.\x00") != message_key("wamid.")


@fuzz_settings(300)
@given(text=ANY_TEXT)
def test_storable_text_is_the_storable_characters_of_any_text(text: str) -> None:
    cleaned = storable_text(text)
    assert is_storable(cleaned) and storable_text(cleaned) == cleaned
    assert cleaned == "".join(char for char in text if is_storable(char))
    assert is_storable(text) == (cleaned == text)
    cleaned.encode("utf-8")  # what a driver sends


@fuzz_settings(300)
@given(message_id=ANY_TEXT)
def test_message_key_of_any_id_fits_and_is_stable(message_id: str) -> None:
    key = message_key(message_id)
    assert len(key) <= MESSAGE_KEY_LENGTH and is_storable(key) and key == message_key(message_id)
    if len(message_id) <= MESSAGE_KEY_LENGTH and is_storable(message_id):
        assert key == message_id


async def test_postgresql_stores_exactly_what_storable_text_leaves(pg_database: str) -> None:
    """Every code point, cleaned, goes into text and jsonb and comes back unchanged; each
    character it removes is refused on its own."""
    cleaned = storable_text(EVERY_CODE_POINT)
    assert len(EVERY_CODE_POINT) - len(cleaned) == 1 + 0x800
    conn = await asyncpg.connect(pg_database)
    try:
        assert await conn.fetchval("SELECT $1::text", cleaned) == cleaned
        document = json.dumps({"text": cleaned})
        assert json.loads(await conn.fetchval("SELECT ($1::jsonb)::text", document))["text"] == cleaned
        for char in ("\x00", "\ud800", "\udfff"):
            with pytest.raises((asyncpg.PostgresError, asyncpg.DataError, UnicodeEncodeError)):
                await conn.fetchval("SELECT $1::text", f"a{char}b")
        with pytest.raises(asyncpg.PostgresError):
            await conn.fetchval("SELECT $1::jsonb", json.dumps({"text": "a\x00b"}))
    finally:
        await conn.close()
