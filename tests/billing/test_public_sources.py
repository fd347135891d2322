"""Explain texts cite only public legal sources: the internal markers of the methodologists'
notes («(S15)», «[M]», «[D]», «REFERENCE §…») may stay in rule-file comments but never reach a
rule's ``source`` nor a line's explain, which a resident reads and cannot look up."""

from __future__ import annotations

import re

from sqlalchemy import select

from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.demo.scenario import run_demo

MARKER = re.compile(r"REFERENCE|§|\[[MD][\]:/]|\(S\d+|\bS\d+\b")


def _sources(value: object) -> list[str]:
    """Every ``source`` text reachable in a rule (nested settings included)."""
    found: list[str] = []
    if isinstance(value, str):
        return found
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        for name in fields:
            item = getattr(value, name)
            if name == "source" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(_sources(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(_sources(item))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.extend(_sources(item))
    return found


def test_the_marker_pattern_catches_each_kind_of_internal_note():
    for text in ("п. 1 (S15) [M]", "REFERENCE §1.4", "[D]/[M]", "ключевая; S8", "[M: акты]"):
        assert MARKER.search(text), text
    assert not MARKER.search("ПП РФ №354, прил. 1, п. 15; ЖК РФ ст. 155 ч. 14; 522-ФЗ")


def test_every_source_of_the_shipped_rulebook_is_public(shipped):
    rulebook = shipped.rulebook
    sources = [s for kind in rulebook.kinds() for rule in rulebook.rules(kind)
               for s in _sources(rule)]
    sources += _sources(list(rulebook.services.values()))
    assert len(sources) > 50
    assert [s for s in sources if MARKER.search(s)] == []


def test_every_explain_of_a_demo_year_is_public(session, unit, calculator, shipped):
    report = run_demo(unit, calculator, shipped.finance_rules, accounts=24, houses=2,
                      months=9)
    assert report.stopped is None
    explains = session.scalars(select(LedgerLine.explain).distinct()).all()
    kinds = set(session.scalars(select(LedgerLine.kind).distinct()))
    assert {"charge", "recalculation", "benefit", "quality_reduction"} <= kinds
    assert len(explains) > 100
    assert [e for e in explains if e and MARKER.search(e)] == []
