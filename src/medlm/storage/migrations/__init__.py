"""Alembic migration scripts shipped with medlm (see README.md)."""
