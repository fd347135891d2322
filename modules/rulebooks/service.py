"""Keep rulebook versions and load them again exactly.

``keep`` stores a version once (its files, checked against its hash); ``publish`` also makes it
the current one, with when and by whom; ``load`` writes a kept version's files into a temporary
folder and loads them, refusing content that no longer hashes to the version.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zhkh.kernel.rulebook import Rulebook
from zhkh.kernel.rulebook.snapshot import check_files, load_files, rulebook_files
from zhkh.modules.errors import NotFound
from zhkh.modules.rulebooks.models import RulebookVersion
from zhkh.modules.rulebooks.repository import RulebookVersionRepository


def keep(session: Session, rulebook: Rulebook, files: dict[str, bytes] | None = None
         ) -> RulebookVersion:
    """The stored row of ``rulebook``'s version, stored now if it was not (idempotent), with
    ``files`` (read earlier by :func:`rulebook_files`) or the files read now."""
    repo = RulebookVersionRepository(session)
    row = repo.get(rulebook.version)
    if row is None:
        read = files if files is not None else rulebook_files(rulebook)
        row = repo.add(rulebook.version, {k: v.decode("utf-8") for k, v in read.items()})
    return row


def publish(session: Session, rulebook: Rulebook, *, by: str,
            at: datetime | None = None) -> RulebookVersion:
    """Keep ``rulebook`` and make it the current version (the previous one stays kept)."""
    row = keep(session, rulebook)
    RulebookVersionRepository(session).make_current(row, at=at or datetime.now(UTC), by=by)
    return row


def versions(session: Session) -> list[dict[str, Any]]:
    """Every kept version: hash, when stored and published, by whom, current or not."""
    return [{"version": r.version, "stored_at": r.stored_at.isoformat() if r.stored_at else None,
             "published_at": r.published_at.isoformat() if r.published_at else None,
             "published_by": r.published_by, "current": r.current, "files": len(r.files)}
            for r in RulebookVersionRepository(session).all()]


def load(session: Session, version: str) -> Rulebook:
    """The kept version ``version`` loaded again (its hash checked); NotFound if none."""
    row = RulebookVersionRepository(session).get(version)
    if row is None:
        raise NotFound("rules_version_not_found",
                       f"версия правил {version} не сохранена в базе "
                       "(zhkh rules publish ПАПКА сохраняет версию)", obj=version)
    files = {k: v.encode("utf-8") for k, v in row.files.items()}
    check_files(files, version)
    folder = Path(tempfile.mkdtemp(prefix=f"zhkh-rules-{version}-"))
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return load_files(folder, version)
