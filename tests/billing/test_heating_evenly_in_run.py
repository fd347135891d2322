"""Heating paid evenly over the year in the monthly run, on SQLite and PostgreSQL, the same on
the columnar and the situation path, with the season coefficient from the rules' calendar.

Houses of the registry choose the payment mode (``heating_payment``); the published norm
0.0187 Гкал/м² per month of the season is taken × 7/12 (October–April, rules/facts):
54.3 м² × 0.0187 × 7/12 = 0.5923225 → 0.592323 Гкал × 2 385.55 ₽/Гкал (July 2026) = 1 413.02.
A house paying in season is charged nothing in July.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select

from zhkh.kernel.rulebook import load_rulebook
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Account, Premises, Provider
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.rules import RULES_DIR

PERIOD = "2026-07"


def _build(session) -> dict[int, str]:
    """Three houses (evenly without and with a house heat meter, in season), two flats each;
    account id → ``house/flat``."""
    reg = RegistryRepository(session)
    provider = Provider(code="teploset", name="Теплосеть", inn="7700000003")
    session.add(provider)
    session.flush()
    names: dict[int, str] = {}
    houses = {"evenly": ("evenly", False), "evenly_odpu": ("evenly", True),
              "season": ("season", False)}
    for h, (name, (payment, heat_meter)) in enumerate(houses.items()):
        house = reg.add_house(address=f"ул. Тепловая, д. {h + 1}",
                              house_type="apartment_building", heating_payment=payment,
                              house_heat_meter=heat_meter, total_area_micro=4_512_700_000)
        for f, area in enumerate((54_300_000, 31_000_000)):
            flat = reg.add_premises(house_id=house.id, number=str(f + 1), kind="flat",
                                    area_micro=area, amenities="full")
            account = reg.add_account(number=make_account_number(7000 + 10 * h + f),
                                      premises_id=flat.id, opened_on=date(2020, 1, 1))
            reg.add_account_service(account_id=account.id, service="heating",
                                    provider_id=provider.id, date_from=date(2020, 1, 1))
            names[account.id] = f"{name}/{f + 1}"
    PeriodRepository(session).open(PERIOD)
    session.flush()
    return names


def _run(session, unit, calculator, names) -> dict[str, tuple[int, str, str]]:
    """(amount in kopecks, volume, explain) by account name, equal on both paths."""
    found = {}
    for columnar in (False, True):
        report = run_period(unit, calculator, PERIOD, columnar=columnar, process_queue=False)
        assert report.errors == []
        rows = session.execute(select(LedgerLine.account_id, LedgerLine.amount_kopecks,
                                      LedgerLine.volume_micro, LedgerLine.explain)
                               .where(LedgerLine.period_booked == PERIOD,
                                      LedgerLine.service == "heating")).all()
        found[columnar] = {names[a]: (k, v, e) for a, k, v, e in rows}
    assert found[True] == found[False]
    return found[True]


def test_the_run_charges_the_published_norm_times_seven_twelfths_in_summer(session, unit,
                                                                           calculator):
    names = _build(session)
    lines = _run(session, unit, calculator, names)
    amounts = {name: (k, v) for name, (k, v, _) in lines.items()}
    # 31 м² × 0.0187 × 7/12 = 0.33815833… → 0.338158 Гкал × 2 385.55 = 806.6928 → 806.69
    assert amounts == {"evenly/1": (141_302, 592_323), "evenly/2": (80_669, 338_158),
                       "evenly_odpu/1": (141_302, 592_323), "evenly_odpu/2": (80_669, 338_158),
                       "season/1": (0, 0), "season/2": (0, 0)}
    explain = lines["evenly/1"][2]
    assert explain.startswith("54,3 м² × 0,0187 Гкал/м²·мес × 7/12 (мес. отопительного "
                              "периода / 12) = 0,592323 Гкал × 2\u00a0385,55 ₽/Гкал")
    assert "ф. 2(1)" in explain and "ф. 3(1)" in lines["evenly_odpu/1"][2]


def test_an_act_moving_the_season_start_into_september_changes_the_run_too(
        session, unit, tmp_path: Path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    season = folder / "facts" / "heating_season.yaml"
    season.write_text(season.read_text(encoding="utf-8").replace(
        "      ends:\n",
        '        2026-09-28: "иллюстративно: постановление о раннем начале сезона"\n'
        "      ends:\n"), encoding="utf-8")
    names = _build(session)
    lines = _run(session, unit, BatchCalculator(load_rulebook(folder)), names)
    # 2026 has 8 months of the season now: 54.3 × 0.0187 × 8/12 = 0.67694 Гкал → 1 614.87
    assert lines["evenly/1"][:2] == (161_487, 676_940)
    assert "× 8/12" in lines["evenly/1"][2]


# --- the annual correction by the house meter (ф. 3(2)) in January -------------------------

# the house meter's heat of 2025, Гкал by month (975 in all)
HOUSE_2025 = (180, 160, 140, 80, 0, 0, 0, 0, 0, 90, 150, 175)


def _house_meter(session, names) -> None:
    """A heating meter of the «evenly_odpu» house with a reading on the 25th of every month
    from December 2024 to December 2025."""
    account = next(a for a, n in names.items() if n == "evenly_odpu/1")
    house_id = _house_of(session, account)
    meters = MeterRepository(session)
    meter = meters.add_meter(serial="ОДПУ-1", service="heating", kind="house",
                             house_id=house_id, installed_on=date(2020, 1, 1))
    session.flush()
    value = 10_000
    meters.add_reading(meter_id=meter.id, taken_on=date(2024, 12, 25),
                       value_micro=value * 10**6, source="controller")
    for month, used in enumerate(HOUSE_2025, start=1):
        value += used
        meters.add_reading(meter_id=meter.id, taken_on=date(2025, month, 25),
                           value_micro=value * 10**6, source="controller")
    session.flush()


def _house_of(session, account_id: int) -> int:
    return session.scalar(select(Premises.house_id).join(Account, Account.premises_id ==
                                                         Premises.id)
                          .where(Account.id == account_id))


def test_january_corrects_the_previous_year_by_the_house_meter_on_both_paths(
        session, unit, calculator):
    names = _build(session)
    _house_meter(session, names)
    for month in range(1, 13):
        report = run_period(unit, calculator, f"2025-{month:02d}", process_queue=False)
        assert report.errors == []
    found = {}
    for columnar in (False, True):
        report = run_period(unit, calculator, "2026-01", columnar=columnar,
                            process_queue=False)
        assert report.errors == []
        rows = session.execute(select(LedgerLine.account_id, LedgerLine.kind,
                                      LedgerLine.amount_kopecks, LedgerLine.explain)
                               .where(LedgerLine.period_booked == "2026-01",
                                      LedgerLine.service == "heating")
                               .order_by(LedgerLine.account_id, LedgerLine.kind)).all()
        found[columnar] = [(names[a], kind, k, e) for a, kind, k, e in rows]
    assert found[True] == found[False]
    lines = {(name, kind): (k, e) for name, kind, k, e in found[True]}
    # charged in 2025: 1 264,85 × 6 + 1 389,39 × 6 = 15 925,44; by the house meter month by
    # month 26 102,27 (rules/tests/heat_and_power.yaml): 26 102,27 − 15 925,44 = 10 176,83
    assert lines[("evenly_odpu/1", "recalculation")][0] == 1_017_683
    assert lines[("evenly_odpu/1", "recalculation")][1].startswith(
        "Корректировка за 2025 год по ОДПУ: 975 Гкал × 54,3 / 4\u00a0512,7 м²")
    assert lines[("evenly_odpu/1", "charge")][0] == 141_302
    # only the house with a house meter is corrected
    assert {name for name, kind in lines if kind == "recalculation"} == {
        "evenly_odpu/1", "evenly_odpu/2"}
