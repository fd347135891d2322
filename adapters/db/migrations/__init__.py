"""Alembic environment of zhkh (configured in code by ``zhkh.adapters.db.migrate``)."""
