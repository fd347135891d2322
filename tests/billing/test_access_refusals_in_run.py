"""Acts of refused access stored in the meters module drive the ×1.5 of electricity by norm in
the monthly run, on SQLite and PostgreSQL, the same on the columnar and the situation path.

Tariff 7.96 ₽/kWh from 2026-10-01, norm 96 kWh per person, 2 residents in every flat:
without the coefficient 2 × 96 × 7.96 = 1 528.32; with it × 1.5 = 2 292.48.
The shipped rule counts an act from the month after its date, without a time limit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from zhkh.modules.billing.columns import ColumnReader
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Provider
from zhkh.modules.registry.repository import RegistryRepository

PERIOD = "2026-10"
PLAIN, RAISED = 152_832, 229_248


class Town:
    """Flats of one house, each with electricity by norm for two residents."""

    def __init__(self, session):
        self.session = session
        self.reg, self.passport = RegistryRepository(session), PassportRepository(session)
        self.meters = MeterRepository(session)
        self.provider = Provider(code="energosbyt", name="Энергосбыт", inn="7700000002")
        session.add(self.provider)
        self.house = self.reg.add_house(address="ул. Заводская, д. 3",
                                        house_type="apartment_building",
                                        heating_payment="season")
        self.accounts: dict[str, tuple[int, int]] = {}

    def flat(self, name: str, *, accounts: int = 1) -> int:
        flat = self.reg.add_premises(house_id=self.house.id, number=name, kind="flat",
                                     area_micro=41_000_000, amenities="full")
        for i in range(accounts):
            number = make_account_number(5000 + len(self.accounts))
            account = self.reg.add_account(number=number, premises_id=flat.id,
                                           opened_on=date(2020, 1, 1))
            self.reg.add_account_service(account_id=account.id, service="electricity",
                                         provider_id=self.provider.id,
                                         date_from=date(2020, 1, 1))
            self.accounts[f"{name}/{i}"] = (account.id, flat.id)
        for person in ("a", "b"):
            p = self.passport.add_person(full_name=f"{name}-{person}")
            self.passport.add_registration(person_id=p.id, premises_id=flat.id,
                                           kind="residence", date_from=date(2010, 1, 1))
        return flat.id

    def act(self, premises: int, day: date, number: str, *, service: str = "electricity",
            account: int | None = None, cancelled: bool = False) -> None:
        refusal = self.meters.add_access_refusal(
            premises_id=premises, service=service, refused_on=day, act_number=number,
            drawn_up_by="контролёр", account_id=account)
        if cancelled:
            refusal.cancelled_at = datetime(2026, 10, 20, tzinfo=UTC)
            refusal.cancel_reason = "внесён ошибочно"
            self.session.flush()


def _build(session) -> Town:
    town = Town(session)
    two = town.flat("two_acts")
    town.act(two, date(2026, 8, 3), "Н-1")
    town.act(two, date(2026, 9, 14), "Н-2")
    late = town.flat("second_in_october")
    town.act(late, date(2026, 8, 3), "Н-3")
    town.act(late, date(2026, 10, 12), "Н-4")  # counts from November
    voided = town.flat("meter_installed_after")
    town.act(voided, date(2026, 5, 4), "Н-5")
    town.act(voided, date(2026, 6, 1), "Н-6")
    # access was given: a meter installed in July (and removed in August, so no meter now)
    meter = town.meters.add_meter(serial="Э-1", service="electricity", kind="individual",
                                  premises_id=voided, installed_on=date(2026, 7, 1))
    meter.removed_on = date(2026, 8, 31)
    session.flush()
    cancelled = town.flat("one_cancelled")
    town.act(cancelled, date(2026, 8, 3), "Н-7")
    town.act(cancelled, date(2026, 9, 1), "Н-8", cancelled=True)
    other = town.flat("gas_act")
    town.act(other, date(2026, 8, 3), "Н-9")
    town.act(other, date(2026, 9, 1), "Г-1", service="gas")
    shared = town.flat("two_accounts", accounts=2)
    first_account = town.accounts["two_accounts/0"][0]
    town.act(shared, date(2026, 8, 3), "Н-10", account=first_account)
    town.act(shared, date(2026, 9, 1), "Н-11", account=first_account)
    town.flat("no_acts")
    PeriodRepository(session).open(PERIOD)
    session.flush()
    return town


EXPECTED = {"two_acts/0": RAISED, "second_in_october/0": PLAIN,
            "meter_installed_after/0": PLAIN, "one_cancelled/0": PLAIN, "gas_act/0": PLAIN,
            "two_accounts/0": RAISED, "two_accounts/1": PLAIN, "no_acts/0": PLAIN}


def test_the_facts_carry_the_standing_acts_of_each_account_and_service(session):
    town = _build(session)
    facts = FactsReader(session, PERIOD).for_houses([town.house.id])
    names = {aid: name for name, (aid, _) in town.accounts.items()}
    acts = {names[facts.account_ids[a.number]]: a.services[0].access_refusals
            for s in facts.situations for a in s.accounts}
    assert acts == {
        "two_acts/0": [date(2026, 8, 3), date(2026, 9, 14)],
        # an act of the period itself is passed on: the rules decide from when it counts
        "second_in_october/0": [date(2026, 8, 3), date(2026, 10, 12)],
        "meter_installed_after/0": [],  # the installation in July voided both acts
        "one_cancelled/0": [date(2026, 8, 3)],
        "gas_act/0": [date(2026, 8, 3)],
        "two_accounts/0": [date(2026, 8, 3), date(2026, 9, 1)],
        "two_accounts/1": [],  # the acts name the other account of the flat
        "no_acts/0": []}
    # the count is left to the rules
    assert {a.services[0].meter_access_refusals for s in facts.situations
            for a in s.accounts} == {None}


def test_the_run_charges_the_coefficient_after_two_acts_on_both_paths(session, unit,
                                                                      calculator):
    town = _build(session)
    names = {aid: name for name, (aid, _) in town.accounts.items()}
    totals = {}
    for columnar in (False, True):
        report = run_period(unit, calculator, PERIOD, columnar=columnar, process_queue=False)
        assert report.errors == []
        rows = session.execute(select(LedgerLine.account_id, LedgerLine.amount_kopecks,
                                      LedgerLine.explain)
                               .where(LedgerLine.period_booked == PERIOD,
                                      LedgerLine.service == "electricity")).all()
        totals[columnar] = {names[a]: (k, e) for a, k, e in rows}
    assert totals[True] == totals[False]
    assert {name: k for name, (k, _) in totals[True].items()} == EXPECTED
    assert "electricity.norm_no_meter_access_refused" in totals[True]["two_acts/0"][1]


def test_the_columnar_path_sends_premises_with_standing_acts_to_the_situation_path(session):
    town = _build(session)
    batch = ColumnReader(session, PERIOD).for_houses([town.house.id])
    names = {aid: name for name, (aid, _) in town.accounts.items()}
    assert sorted(names[a] for a in batch.slow) == [
        "gas_act/0", "one_cancelled/0", "second_in_october/0", "two_accounts/0",
        "two_accounts/1", "two_acts/0"]
