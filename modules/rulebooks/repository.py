"""SQL of rulebook versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zhkh.modules.rulebooks.models import RulebookVersion


class RulebookVersionRepository:
    """Rulebook versions of one session (the caller commits)."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, version: str) -> RulebookVersion | None:
        return self.session.get(RulebookVersion, version)

    def add(self, version: str, files: dict[str, str]) -> RulebookVersion:
        row = RulebookVersion(version=version, files=files, current=False)
        self.session.add(row)
        self.session.flush()
        return row

    def make_current(self, row: RulebookVersion, *, at: datetime, by: str) -> None:
        """Mark ``row`` current (and no other); when and by whom it was first published is
        written once (the table's triggers refuse changing it): publishing an older version
        again only moves the mark."""
        self.session.execute(update(RulebookVersion).where(RulebookVersion.current.is_(True),
                                                           RulebookVersion.version != row.version)
                             .values(current=False))
        row.current = True
        if row.published_at is None:
            row.published_at, row.published_by = at, by
        self.session.flush()

    def all(self) -> list[RulebookVersion]:
        return list(self.session.scalars(select(RulebookVersion).order_by(
            RulebookVersion.stored_at, RulebookVersion.version)))
