"""A temporary absence stored by the passport office is recalculated by the monthly run."""

from datetime import date

from sqlalchemy import select

from zhkh.adapters.db import Database, upgrade
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.models import Provider
from zhkh.modules.registry.repository import RegistryRepository


def _town(db: Database) -> None:
    with db.session() as s:
        reg, passport = RegistryRepository(s), PassportRepository(s)
        provider = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
        s.add(provider)
        house = reg.add_house(address="ул. Мира, д. 7", house_type="apartment_building",
                              heating_payment="season")
        flat = reg.add_premises(house_id=house.id, number="3", kind="flat",
                                area_micro=45_000_000, amenities="full",
                                meter_installable={"cold_water": False})
        account = reg.add_account(number="0000123455", premises_id=flat.id,
                                  opened_on=date(2020, 1, 1))
        reg.add_account_service(account_id=account.id, service="cold_water",
                                provider_id=provider.id, date_from=date(2020, 1, 1))
        for name in ("A", "B"):
            person = passport.add_person(full_name=name)
            passport.add_registration(person_id=person.id, premises_id=flat.id,
                                      kind="residence", date_from=date(2010, 1, 1))
            if name == "A":  # away 05.06–20.06: 14 full days count (п. 90)
                passport.add_absence(person_id=person.id, date_from=date(2026, 6, 5),
                                     date_to=date(2026, 6, 20), document="командировка")
        PeriodRepository(s).open("2026-06")


def test_the_run_books_the_absence_and_a_rerun_does_not_duplicate_it(tmp_path, calculator):
    url = f"sqlite:///{tmp_path}/town.sqlite"
    upgrade(url)
    db = Database.from_url(url)
    _town(db)
    for _ in range(2):
        run_period(db.session, calculator, "2026-06")
    with db.reader() as s:
        lines = s.execute(select(LedgerLine.kind, LedgerLine.amount_kopecks, LedgerLine.explain)
                          .order_by(LedgerLine.id)).all()
    db.dispose()
    kinds = [(k, a) for k, a, _ in lines]
    # 2 чел × 4,9 м³ × 53,74 = 526,65; A's 14 of 30 days: 526,65 × 14/(2 × 30) = 122,89
    assert kinds == [("charge", 52665), ("recalculation", -12289)]
    assert "временное отсутствие" in lines[1][2]
