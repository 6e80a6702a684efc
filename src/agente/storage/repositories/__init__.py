"""Repositories: one package per kind of stored thing (protocol and records in ``__init__``,
``sql.py`` for SQLAlchemy, ``memory.py`` for the in-memory twin); see ``storage.unit_of_work``."""
