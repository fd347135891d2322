"""The demo at a tiny size: it runs its year (here three months) and its summary is the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from zhkh.modules.analytics.service import by_month, by_service, money_by_month
from zhkh.modules.billing.models import BillingPeriod, LedgerLine
from zhkh.modules.demo.scenario import run_demo
from zhkh.modules.finance.service import FinanceRules


@pytest.fixture(scope="session")
def rules(shipped) -> FinanceRules:
    return shipped.finance_rules


def test_a_tiny_demo_closes_every_month_and_its_summary_equals_the_ledger(
        session, unit, calculator, rules):
    report = run_demo(unit, calculator, rules, accounts=60, houses=3, months=3)
    assert report.stopped is None
    assert [m.period for m in report.months] == ["2026-08", "2026-09", "2026-10"]
    assert all(m.close.close.closed and not m.run.run.errors for m in report.months)
    statuses = dict(session.execute(select(BillingPeriod.period, BillingPeriod.status)).all())
    assert statuses == {"2026-08": "closed", "2026-09": "closed", "2026-10": "closed",
                        "2026-11": "open"}
    ledger = dict(session.execute(select(LedgerLine.period_booked,
                                         func.sum(LedgerLine.amount_kopecks))
                                  .where(LedgerLine.service != "penalty")
                                  .group_by(LedgerLine.period_booked)).all())
    assert {t.key: t.total for t in by_month(report.summary)} == {
        p: int(v) for p, v in ledger.items()}
    assert sum(t.total for t in by_service(report.summary)) == sum(
        int(v) for v in ledger.values())
    assert all(m.run.run.accounts == 60 for m in report.months)
    kinds = dict(session.execute(select(LedgerLine.kind, func.sum(LedgerLine.amount_kopecks))
                                 .group_by(LedgerLine.kind)).all())
    assert sum(t.benefits for t in by_service(report.summary)) == kinds["benefit"] < 0


def test_the_late_changes_of_the_demo_land_as_recalculations_in_later_months(
        session, unit, calculator, rules):
    report = run_demo(unit, calculator, rules, accounts=24, houses=2, months=9)
    assert report.stopped is None and len(report.months) == 9
    recalcs = session.execute(select(LedgerLine.period_for, LedgerLine.period_booked).where(
        LedgerLine.kind == "recalculation", LedgerLine.service != "penalty")).all()
    assert recalcs and all(f < b for f, b in recalcs)
    booked = {b for _f, b in recalcs}
    assert booked <= {"2026-05", "2026-07", "2026-08", "2026-10"}
    assert "2026-05" in booked  # the corrected readings of 2026-03
    # an incident of 2026-06 and benefits from 2026-05, entered in 2026-07
    late = {(f, b) for f, b in recalcs if b == "2026-07"}
    assert late == {("2026-05", "2026-07"), ("2026-06", "2026-07")}
    quality = session.execute(select(LedgerLine.period_for, LedgerLine.period_booked).where(
        LedgerLine.kind == "quality_reduction")).all()
    assert quality and all(f == b for f, b in quality)


def test_nobody_pays_in_a_demo_without_a_bank_so_every_bill_carries_penalties(
        session, unit, calculator, rules):
    report = run_demo(unit, calculator, rules, accounts=12, houses=1, months=5)
    assert report.stopped is None
    penalties = dict(session.execute(
        select(LedgerLine.period_booked, func.sum(LedgerLine.amount_kopecks))
        .where(LedgerLine.service == "penalty").group_by(LedgerLine.period_booked)).all())
    # the first bill (2026-06) is due 15.07; its 31st overdue day is 15.08: penalties begin in
    # August and grow each month as more bills age
    assert set(penalties) == {"2026-08", "2026-09", "2026-10"}
    assert 0 < penalties["2026-08"] < penalties["2026-09"] < penalties["2026-10"]
    money = {m.period: m for m in money_by_month(session)}
    assert money["2026-10"].penalties == penalties["2026-10"]
    assert money["2026-10"].paid == 0 and money["2026-10"].collection_permille == 0


def test_the_demo_bills_common_property_in_every_third_house(session, unit, calculator, rules):
    from zhkh.modules.billing.models import HouseMonthTotal

    report = run_demo(unit, calculator, rules, accounts=60, houses=3, months=3)
    assert report.stopped is None
    common = {s for s, in session.execute(select(LedgerLine.service).where(
        LedgerLine.service.like("%_common")).distinct())}
    assert common == {"cold_water_common", "hot_water_common", "electricity_common",
                      "wastewater_common"}
    assert {t.key for t in by_service(report.summary)} >= common
    houses = set(session.scalars(select(HouseMonthTotal.house_id).distinct()))
    assert houses == {3}  # houses 3, 6, 9 …: of three, the third
    sources = set(session.scalars(select(HouseMonthTotal.source).distinct()))
    assert sources <= {"meter", "average"} and "meter" in sources
