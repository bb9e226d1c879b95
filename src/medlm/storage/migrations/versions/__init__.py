"""Alembic revision files; each later one sets down_revision to an existing head."""
