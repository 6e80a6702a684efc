"""What a database error means to the code above storage, without it importing a driver.

* :func:`is_unstorable` — the data itself cannot be stored (a character PostgreSQL cannot
  hold, a value longer than its column...). Trying again stores the same data and fails the
  same way, so whoever retries should stop at once.
* :func:`describe_error` — one line fit for a log or a job's ``last_error``: never the SQL
  statement, its parameters or a stored value (they can hold a guest's text).
* :func:`storable_text` — a text cleaned of what PostgreSQL cannot hold, for the few texts
  we write that we do not control (error messages).

Connection failures are the other family: ``storage.db.is_unavailable``.
"""

from __future__ import annotations

import traceback

from sqlalchemy.exc import StatementError

__all__ = ["describe_error", "is_unstorable", "storable_text"]

# SQLSTATE class 22, "data exception": the statement is fine and the data is not. Among them
# 22021 character_not_in_repertoire (U+0000 in text), 22001 string_data_right_truncation
# (a value longer than its varchar), 22P05 untranslatable_character (\u0000 in jsonb), 22P02
# invalid_text_representation (a lone surrogate in jsonb), 22000 (asyncpg could not encode an
# argument, e.g. a lone surrogate in text).
_DATA_EXCEPTION = "22"
_EXPLAINED = {
    "22021": "text holds a character the database cannot store (U+0000)",
    "22001": "a value is longer than its column",
    "22P05": "text holds a character the database cannot translate",
    "22P02": "a value is not in a form the database can read",
}
_SURROGATE_MIN, _SURROGATE_MAX = 0xD800, 0xDFFF


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver error SQLAlchemy wraps (``orig``) and the errors each was raised
    ``from``, each once. An error merely raised while another was handled is not followed:
    a handler that caught a data error and raised something else meant something else."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        pending.extend([current.__cause__, orig if isinstance(orig, BaseException) else None])
    return seen


def _sqlstate(exc: BaseException) -> str | None:
    for error in _chain(exc):
        code = getattr(error, "sqlstate", None)
        if isinstance(code, str) and code:
            return code
    return None


def is_unstorable(exc: BaseException) -> bool:
    """True when ``exc`` says the data cannot be stored as it is: a data exception from
    PostgreSQL (SQLSTATE class 22) or text Python cannot encode for it (a lone surrogate)."""
    code = _sqlstate(exc)
    if code is not None and code.startswith(_DATA_EXCEPTION):
        return True
    return any(isinstance(error, UnicodeEncodeError) for error in _chain(exc))


def describe_error(exc: BaseException) -> str:
    """One line naming what failed, without SQL, parameters or the data that was refused."""
    if is_unstorable(exc):
        code = _sqlstate(exc)
        if code is None:
            return "UnicodeEncodeError: text holds a character that cannot be encoded (a lone surrogate)"
        driver = next((e for e in _chain(exc) if getattr(e, "sqlstate", None) == code), exc)
        explained = _EXPLAINED.get(code, "data the database cannot store")
        return f"{type(driver).__name__} (SQLSTATE {code}): {explained}"
    if isinstance(exc, StatementError) and exc.orig is not None:
        # SQLAlchemy's own text appends the statement and its parameters; the driver's first
        # line names the failure (a DETAIL line below it may quote values).
        lines = str(exc.orig).strip().splitlines()
        return f"{type(exc.orig).__name__}: {lines[0] if lines else ''}".strip()
    return "".join(traceback.format_exception_only(exc)).strip()


def storable_text(text: str) -> str:
    """``text`` with U+0000 and lone surrogates (which PostgreSQL cannot store) replaced by U+FFFD."""
    if "\x00" not in text and not any(_SURROGATE_MIN <= ord(c) <= _SURROGATE_MAX for c in text):
        return text
    return "".join("\ufffd" if c == "\x00" or _SURROGATE_MIN <= ord(c) <= _SURROGATE_MAX else c for c in text)
