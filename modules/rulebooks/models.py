"""A kept rulebook version: its files, hash, when and by whom it was published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.modules.db import Base


class RulebookVersion(Base):
    """One rulebook version (the content hash every ledger line records) and its files."""

    __tablename__ = "rulebook_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    """Relative path → UTF-8 text of every rule file of the version."""
    stored_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(200))
    current: Mapped[bool] = mapped_column(Boolean, default=False)
