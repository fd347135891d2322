"""The unit of work: one engine, one session factory, one commit per unit.

``Database`` is what the composition root builds (from settings or a URL) and hands to the
API, the CLI and the monthly run. ``session()`` commits once at the end of the block or
rolls back on any exception; repositories inside never commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from zhkh.adapters.db.engine import BEGIN_OPTION, create_db_engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit (no expire)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed once when the block ends, rolled back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@dataclass
class Database:
    """An engine and its session factories (read-write and read-only)."""

    engine: Engine
    _factory: sessionmaker[Session] = field(init=False, repr=False)
    _readonly_factory: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._factory = make_session_factory(self.engine)
        # On SQLite a read-only unit starts with a deferred BEGIN and never takes the write
        # lock; PostgreSQL ignores the option.
        self._readonly_factory = make_session_factory(
            self.engine.execution_options(**{BEGIN_OPTION: "DEFERRED"}))

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        """A database for ``url``."""
        return cls(create_db_engine(url, echo=echo))

    @property
    def factories(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        """The read-write and the read-only session factories (for session events)."""
        return self._factory, self._readonly_factory

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def new_session(self, *, read_only: bool = False) -> Session:
        """A session the caller commits or rolls back and closes (a request's unit of work);
        a read-only one never takes SQLite's write lock."""
        return (self._readonly_factory if read_only else self._factory)()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-write unit of work: commit once at the end, roll back on error."""
        with session_scope(self._factory) as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only unit of work (never commits anything; rolled back at the end)."""
        session = self._readonly_factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
