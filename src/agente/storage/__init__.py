"""Persistence: the database engine, ORM models, repositories and migrations."""
