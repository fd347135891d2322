"""Alembic revisions of zhkh, oldest first."""
