"""What counts as the database being away, for SQLAlchemy's errors and asyncpg's own alike
(the conversation store runs its two statements on asyncpg itself)."""

from __future__ import annotations

import asyncpg
import pytest

from agente.errors import DatabaseUnavailableError
from agente.storage import db


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        ConnectionResetError("reset by peer"),
    ],
)
def test_a_dropped_or_refused_connection_is_the_database_unavailable(error: BaseException) -> None:
    assert db.is_unavailable(error)
    with pytest.raises(DatabaseUnavailableError), db.translate_errors():
        raise error


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
        asyncpg.CharacterNotInRepertoireError("invalid byte sequence for encoding UTF8: 0x00"),
        asyncpg.UndefinedTableError('relation "sessions" does not exist'),
    ],
)
def test_a_statement_the_database_refused_is_not_an_outage(error: BaseException) -> None:
    assert not db.is_unavailable(error)
