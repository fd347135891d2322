"""Document numbers: ``<prefix>-<YYYY>-<MM>-<sequence>``, sequential per kind and period.

The prefix names the kind in Russian (ЕПД, ИСП — corrected, УВД — debt notice; ВДК —
выписка из домовой книги, СЗР — справка о зарегистрированных, Ф10 — поквартирная карточка),
the period is the bill's month (a certificate: the month of issue), the sequence is seven
digits with leading zeros (more digits past 9 999 999, still unique). Sequences come from
``document_counters``: taken in the issuing transaction, so a rolled-back issue leaves no gap
and two concurrent issues of one kind and period wait for each other.

Examples: ``ЕПД-2026-10-0000001``, ``ИСП-2026-10-0000003``, ``Ф10-2026-12-0000017``.
"""

from __future__ import annotations

import re

PREFIXES = {"monthly": "ЕПД", "corrected": "ИСП", "debt_notice": "УВД",
            "house_register_extract": "ВДК", "residents_certificate": "СЗР",
            "apartment_card": "Ф10"}
WIDTH = 7
PATTERN = re.compile(r"^(?P<prefix>[А-ЯЁ0-9]+)-(?P<year>\d{4})-(?P<month>\d{2})-(?P<seq>\d{7,})$")


def number(kind: str, period: str, sequence: int) -> str:
    """The number of the ``sequence``-th document of ``kind`` in ``period`` (``YYYY-MM``)."""
    if sequence < 1:
        raise ValueError(f"номер документа начинается с 1, получено {sequence}")
    return f"{PREFIXES[kind]}-{period}-{sequence:0{WIDTH}d}"


def parse(text: str) -> tuple[str, str, int]:
    """``(kind, period, sequence)`` of a number; ``ValueError`` for a text that is not one."""
    found = PATTERN.match(text.strip())
    kinds = {prefix: kind for kind, prefix in PREFIXES.items()}
    if found is None or found["prefix"] not in kinds:
        raise ValueError(f"«{text}» — не номер документа (ожидается, например, "
                         "ЕПД-2026-10-0000001)")
    return kinds[found["prefix"]], f"{found['year']}-{found['month']}", int(found["seq"])
