"""``zhkh run --period P --dry-run``: the month calculated without writing anything, compared
with the month before per service, provider and house, with the reasons of the largest changes.
Runs on SQLite and PostgreSQL (the ``session`` fixture of tests/db)."""

from __future__ import annotations

from sqlalchemy import func, select

from zhkh.kernel.money import to_kopecks
from zhkh.modules.billing.dry_run import dry_run
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.run import run_period
from zhkh.modules.db import Base
from zhkh.modules.registry.models import House

PREVIOUS, PERIOD = "2026-08", "2026-09"


def _rows(session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables}


def _charged(session, period: str) -> int:
    return session.scalar(select(func.coalesce(func.sum(LedgerLine.amount_kopecks), 0)).where(
        LedgerLine.period_booked == period, LedgerLine.kind == "charge"))


def test_a_dry_run_writes_nothing_and_compares_with_the_month_before(
        session, unit, town, calculator):
    run_period(unit, calculator, PREVIOUS)
    session.flush()
    before = _rows(session)
    result = dry_run(session, calculator, PERIOD)
    assert not session.new and not session.dirty and not session.deleted
    assert _rows(session) == before  # not a line, an error, a period or an audit row
    assert result.previous == PREVIOUS and result.errors == 0
    services = result.by(0)
    assert sum(t.before for t in services.values()) == _charged(session, PREVIOUS)
    houses = list(session.scalars(select(House.id)))
    facts = FactsReader(session, PERIOD).for_houses(houses)
    expected = sum(to_kopecks(ln.amount) for _, ln in calculator.compute(facts).lines
                   if ln.kind == "charge")
    assert sum(t.after for t in services.values()) == expected
    assert set(result.by(2)) == {str(h) for h in houses}
    assert result.largest, "readings differ month to month"
    biggest = result.largest[0]
    assert abs(biggest.after - biggest.before) == max(
        abs(c.after - c.before) for c in result.largest)
    assert all(c.reasons for c in result.largest)


def test_the_reasons_name_readings_and_a_new_tariff(session, unit, town, calculator):
    run_period(unit, calculator, PERIOD)
    # October's tariffs differ from September's (rules: indexation on 2026-10-01)
    result = dry_run(session, calculator, "2026-10")
    reasons = {r for c in result.largest for r in c.reasons}
    assert any(r.startswith("значение правила (тариф)") for r in reasons), reasons
    assert result.previous == PERIOD
    assert all(t.after != t.before for t in result.by(0).values() if t.accounts_changed)
