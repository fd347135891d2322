"""Finding accounts by the name of a person living in or owning the premises.

Every word of the query must begin a word of the person's full name («иван петр» finds
«Петров Иван Сергеевич»); only the people registered or owning now count. Names are personal
data: the caller shows this search only to a role that may read them, and logs the reads.
PostgreSQL compares without case (``ILIKE``); SQLite's ``LIKE`` ignores the case of Latin
letters only, so each word is also tried with a capital first letter, as names are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, literal, or_, select, union
from sqlalchemy.orm import Session

from zhkh.modules.passport.models import OwnershipShare, PersonData, Registration
from zhkh.modules.registry.models import Account

_NAME_WORD = re.compile(r"[а-яёa-z-]+", re.IGNORECASE)


@dataclass(frozen=True)
class NamedAccount:
    """An account of the premises where a person of the name lives or owns."""

    number: str
    person_id: int
    full_name: str
    relation: str
    """``registered`` or ``owner``."""


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _word_condition(word: str, dialect: str) -> ColumnElement[bool]:
    column = PersonData.full_name
    if dialect == "postgresql":
        return or_(column.ilike(f"{_escape(word)}%", escape="\\"),
                   column.ilike(f"% {_escape(word)}%", escape="\\"))
    forms = {word, word[:1].upper() + word[1:].lower(), word.lower()}
    return or_(*(c for form in sorted(forms) for c in (
        column.like(f"{_escape(form)}%", escape="\\"),
        column.like(f"% {_escape(form)}%", escape="\\"))))


def accounts_by_name(session: Session, text: str, *, on: date | None = None,
                     limit: int = 50) -> list[NamedAccount]:
    """Accounts of the premises of people whose name has every word of ``text`` as a word
    prefix (two letters or more each), registered or owning on ``on`` (today by default);
    nothing for a query without such words."""
    words = [w for w in _NAME_WORD.findall(text) if len(w) >= 2]
    if not words:
        return []
    day = on or date.today()
    dialect = session.get_bind().dialect.name
    people = select(PersonData.person_id, PersonData.full_name).where(
        and_(*(_word_condition(w, dialect) for w in words))).limit(limit * 4).subquery()
    registered = (select(Account.number, people.c.person_id, people.c.full_name)
                  .add_columns(literal("registered").label("relation"))
                  .join(Registration, Registration.person_id == people.c.person_id)
                  .join(Account, Account.premises_id == Registration.premises_id)
                  .where(Registration.date_from <= day,
                         or_(Registration.date_to.is_(None), Registration.date_to >= day)))
    owners = (select(Account.number, people.c.person_id, people.c.full_name)
              .add_columns(literal("owner").label("relation"))
              .join(OwnershipShare, OwnershipShare.person_id == people.c.person_id)
              .join(Account, Account.premises_id == OwnershipShare.premises_id)
              .where(OwnershipShare.date_from <= day,
                     or_(OwnershipShare.date_to.is_(None), OwnershipShare.date_to >= day)))
    rows = session.execute(select(union(registered, owners).subquery()).limit(limit))
    return [NamedAccount(number=r[0], person_id=r[1], full_name=r[2], relation=r[3])
            for r in rows]
