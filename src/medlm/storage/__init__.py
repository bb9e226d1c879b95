"""Database engine factory (SQLite by default, PostgreSQL by URL), tables and migrations."""
