"""Telling data the database cannot store from other failures (real PostgreSQL errors:
``tests/integration/test_outbox_dead_letters.py``)."""

from __future__ import annotations

import asyncpg
import pytest

from agente.storage.errors import describe_error, is_unstorable, storable_text


def _raised_from(cause: BaseException) -> RuntimeError:
    try:
        raise RuntimeError("wrapped") from cause
    except RuntimeError as exc:
        return exc


def _raised_while_handling(context: BaseException) -> RuntimeError:
    try:
        try:
            raise context
        except type(context):
            raise RuntimeError("something else went wrong") from None
    except RuntimeError as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence"),
        asyncpg.exceptions.StringDataRightTruncationError("value too long"),
        asyncpg.exceptions.UntranslatableCharacterError("unsupported Unicode escape sequence"),
        _raised_from(asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence")),
        UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    ],
    ids=["nul", "too-long", "untranslatable", "wrapped", "surrogate"],
)
def test_data_the_database_cannot_store_is_unstorable(exc: BaseException) -> None:
    assert is_unstorable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("upstream said no"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        _raised_while_handling(asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence")),
    ],
    ids=["plain", "unique", "connection", "handled-then-other"],
)
def test_other_failures_are_not(exc: BaseException) -> None:
    assert not is_unstorable(exc)


def test_a_description_names_the_failure_without_the_refused_data() -> None:
    nul = _raised_from(asyncpg.exceptions.CharacterNotInRepertoireError("bad: 'hola\x00 Ana'"))
    assert describe_error(nul) == (
        "CharacterNotInRepertoireError (SQLSTATE 22021): text holds a character the database cannot store (U+0000)"
    )
    assert describe_error(RuntimeError("upstream said no")) == "RuntimeError: upstream said no"


def test_storable_text_replaces_only_what_postgresql_cannot_hold() -> None:
    assert storable_text("Hola 👋 ñ") == "Hola 👋 ñ"
    assert storable_text("a\x00b\ud800c") == "a\ufffdb\ufffdc"
