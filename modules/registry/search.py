"""Finding accounts the way an operator asks: by number, or by address typed loosely.

``search_accounts(session, "ленена 5 12")`` → the accounts of flat 12 in house 5 of
«ул. Ленина»: the words of the query are matched against the words of each house's address
(lower case, «ё» as «е», abbreviations like «ул.», «д.», «кв.» dropped) — a word matches
when it is a prefix of an address word or, from three letters on, close to one (a letter
wrong, missing or doubled: rapidfuzz's ratio ≥ 80 against the address word's prefix of the
same length, or one letter shorter or longer; the near matches only when no house matches
by prefixes alone); the first number is the house, the second (or the one after «кв») the
flat. Digits alone (three or more) are an account number prefix. Addresses are listed in
natural order — «д. 2» before «д. 10», flat 9 before flat 10 (:func:`natural_key`), which
the databases' text order would not give. House addresses are matched in Python (a town has
hundreds or a few thousand houses; one indexed read of them), the accounts of the matched
houses in SQL a few houses at a time, ordered here — a search stays in milliseconds at
100,000 accounts. The session's data scope applies as to any query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules.registry.models import Account, House, Premises

LIMIT = 50
HOUSES_A_QUERY = 5
TYPO_SCORE = 80
_WORD = re.compile(r"[0-9]+[а-яa-z]?(?:/[0-9]+[а-яa-z]?)?|[а-яa-z]+", re.IGNORECASE)
_NOISE = frozenset({"ул", "улица", "д", "дом", "кв", "квартира", "пр", "пр-т", "проспект", "г",
                    "город", "пер", "переулок", "наб", "набережная", "ш", "шоссе", "б-р",
                    "бульвар", "пл", "площадь", "корп", "к", "стр", "строение", "мкр", "п",
                    "пос", "с", "лит", "пом", "офис", "оф", "ком", "комн"})
_FLAT_MARKERS = frozenset({"кв", "квартира", "пом", "оф", "офис", "ком", "комн"})


@dataclass(frozen=True)
class AccountHit:
    """One account found: its number, the address with the premises, whether it is open."""

    number: str
    address: str
    premises_number: str
    premises_kind: str
    house_id: int
    opened_on: date
    closed_on: date | None


@dataclass(frozen=True)
class Query:
    """A search query taken apart: account number digits, address words, house, flat."""

    digits: str | None
    words: tuple[str, ...]
    house: str | None
    flat: str | None


def normalise(text: str) -> str:
    """Lower case, «ё» → «е»."""
    return text.lower().replace("ё", "е")


_DIGITS = re.compile(r"([0-9]+)")


@lru_cache(maxsize=65536)
def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders numbers inside a text by value: «д. 2» < «д. 10» < «д. 10а»
    < «д. 10/1», flat «9» < «10» < «Н1» (numbers before words at the same place); case and
    «ё»/«е» do not matter, and texts that differ only in leading zeros stay apart."""
    return tuple((0, int(part), part) if part.isdigit() else (1, 0, part)
                 for part in _DIGITS.split(normalise(text)) if part)


def parse(text: str) -> Query:
    """Take a query apart (see the module's docstring)."""
    plain = normalise(text).strip()
    compact = re.sub(r"[\s-]", "", plain)
    if compact.isdigit() and len(compact) >= 3:
        return Query(compact, (), None, None)
    words: list[str] = []
    numbers: list[str] = []
    flat: str | None = None
    after_flat_marker = False
    for token in _WORD.findall(plain):
        if token[0].isdigit():
            if after_flat_marker and flat is None:
                flat = token
            else:
                numbers.append(token)
            after_flat_marker = False
        elif token in _FLAT_MARKERS:
            after_flat_marker = True
        elif token not in _NOISE:
            words.append(token)
            after_flat_marker = False
    house = numbers[0] if numbers else None
    if flat is None and len(numbers) > 1:
        flat = numbers[1]
    return Query(None, tuple(words), house, flat)


@lru_cache(maxsize=65536)
def _address_words(address: str) -> tuple[tuple[str, ...], str | None]:
    """The words of a house address and its house number (after «д.» or the last number);
    kept per address text (an edited address is a new text), as every search reads every
    house's address."""
    tokens = _WORD.findall(normalise(address))
    words = tuple(t for t in tokens if not t[0].isdigit() and t not in _NOISE)
    house = None
    for i, token in enumerate(tokens):
        if token[0].isdigit() and (i == 0 or tokens[i - 1] in ("д", "дом") or house is None):
            house = token
    return words, house


def _word_matches(query_word: str, address_words: Sequence[str], typos: bool) -> bool:
    for word in address_words:
        if word.startswith(query_word):
            return True
        if typos and len(query_word) >= 3 and any(
                fuzz.ratio(query_word, word[:n]) >= TYPO_SCORE
                for n in (len(query_word) - 1, len(query_word), len(query_word) + 1) if n >= 3):
            return True
    return False


def matching_houses(session: Session, query: Query) -> list[int]:
    """Ids of the houses whose address has every word of ``query`` as a word's prefix, and
    its house number if given; when there are none, those matching with typos. In the
    natural order of their addresses (:func:`natural_key`), then by id."""
    candidates = []
    houses = session.execute(select(House.id, House.address)).all()
    for house_id, address in sorted(houses, key=lambda h: (natural_key(h[1]), h[0])):
        words, number = _address_words(address)
        if query.house is None or number == query.house:
            candidates.append((house_id, words))
    for typos in (False, True):
        found = [h for h, words in candidates
                 if all(_word_matches(w, words, typos) for w in query.words)]
        if found or not query.words:
            return found
    return []


def search_accounts(session: Session, text: str, *, limit: int = LIMIT) -> list[AccountHit]:
    """Accounts matching ``text`` — an account number prefix or an address (see the module's
    docstring) — by number for a number, else by address and premises; at most ``limit``.
    An empty query or one of mere noise words finds nothing."""
    query = parse(text)
    statement = (select(Account.number, House.address, Premises.number, Premises.kind,
                        House.id, Account.opened_on, Account.closed_on, Premises.id)
                 .join(Premises, Premises.id == Account.premises_id)
                 .join(House, House.id == Premises.house_id))
    if query.digits is not None:
        # a range, not LIKE: the unique index of the numbers serves it on both databases
        # (":" sorts right after "9"), and in index order the limit stops the scan early
        statement = statement.where(Account.number >= query.digits,
                                    Account.number < query.digits + ":")
        return [_hit(r) for r in session.execute(
            statement.order_by(Account.number).limit(limit))]
    if not query.words and query.house is None:
        return []
    houses = matching_houses(session, query)
    if not houses:
        return []
    if query.flat is not None:
        statement = statement.where(Premises.number == query.flat)
    # a few houses at a time in natural address order until the limit: a street of a hundred
    # houses is not read whole for the first fifty flats; within a chunk the premises are
    # ordered here, as the databases have no natural order of texts («10» < «9» for them)
    position = {house_id: i for i, house_id in enumerate(houses)}
    found: list[AccountHit] = []
    for start in range(0, len(houses), HOUSES_A_QUERY):
        chunk = houses[start:start + HOUSES_A_QUERY]
        ordered = sorted(session.execute(statement.where(House.id.in_(chunk))),
                         key=lambda r: (position[r[4]], natural_key(r[2]), r[7], r[0]))
        found += [_hit(r) for r in ordered[:limit - len(found)]]
        if len(found) >= limit:
            break
    return found


def _hit(row: Any) -> AccountHit:
    return AccountHit(number=row[0], address=row[1], premises_number=row[2],
                      premises_kind=row[3], house_id=row[4], opened_on=row[5],
                      closed_on=row[6])


def accounts_by_numbers(session: Session, numbers: list[str]) -> list[AccountHit]:
    """The accounts of these numbers (those that exist and are in scope), in the natural
    order of their addresses and premises (:func:`natural_key`)."""
    if not numbers:
        return []
    statement = (select(Account.number, House.address, Premises.number, Premises.kind,
                        House.id, Account.opened_on, Account.closed_on, Premises.id)
                 .join(Premises, Premises.id == Account.premises_id)
                 .join(House, House.id == Premises.house_id)
                 .where(Account.number.in_(numbers)))
    rows = sorted(session.execute(statement), key=lambda r: (
        natural_key(r[1]), r[4], natural_key(r[2]), r[7], r[0]))
    return [_hit(r) for r in rows]
