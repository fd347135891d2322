"""The rules as the rules page shows them, on the shipped rulebook: what is in force on a day
and one rule's dated history (cold water of Водоканал: 48.72 from 01.07.2024, 52.84 from
01.07.2025, 53.74 from 01.01.2026, 59.06 from 01.10.2026)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhkh.modules.rulebooks.catalog import history, in_force

RULE = "cold_water.vodokanal"


def test_the_value_in_force_changes_on_its_date_and_not_a_day_before(shipped):
    def on(day: date):
        return next(r for r in in_force(shipped.rulebook, day) if r.id == RULE)

    before, after = on(date(2026, 9, 30)), on(date(2026, 10, 1))
    assert (before.value, before.since, after.value, after.since) == (
        Decimal("53.74"), date(2026, 1, 1), Decimal("59.06"), date(2026, 10, 1))
    assert (after.kind, after.unit, after.file) == ("tariffs", "руб/м³", "tariffs/water.yaml")
    assert after.source.startswith("Иллюстративно")
    assert on(date(2024, 6, 30)).value is None  # before its first date there is no value


def test_kind_and_text_narrow_the_list(shipped):
    tariffs = in_force(shipped.rulebook, date(2026, 10, 1), kind="tariffs")
    assert tariffs and {r.kind for r in tariffs} == {"tariffs"}
    everything = in_force(shipped.rulebook, date(2026, 10, 1))
    assert len(everything) > len(tariffs)
    found = in_force(shipped.rulebook, date(2026, 10, 1), text="COLD_WATER.VODO")
    assert [r.id for r in found] == [RULE]
    assert all(r.value is None for r in in_force(shipped.rulebook, date(2026, 10, 1),
                                                 kind="methods"))


def test_the_history_is_every_dated_value_with_the_days_it_held(shipped):
    rule = history(shipped.rulebook, RULE)
    assert rule is not None and rule.kind == "tariffs" and rule.line is not None
    assert [(s.date_from, s.date_to, s.value) for s in rule.series["values"]] == [
        (date(2024, 7, 1), date(2025, 6, 30), Decimal("48.72")),
        (date(2025, 7, 1), date(2025, 12, 31), Decimal("52.84")),
        (date(2026, 1, 1), date(2026, 9, 30), Decimal("53.74")),
        (date(2026, 10, 1), None, Decimal("59.06"))]
    assert rule.fields["service"] == "cold_water"
    assert history(shipped.rulebook, "no.such.rule") is None
