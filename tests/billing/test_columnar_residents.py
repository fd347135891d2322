"""Residents changing inside the month stay on the columnar path: a norm line per run of days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from zhkh.kernel.calc.calculate import calculate
from zhkh.kernel.calc.columnar import calculate_columns
from zhkh.kernel.calc.columnar_rows import to_lines
from zhkh.kernel.period import Period
from zhkh.modules.billing.columns import ColumnReader
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.passport.models import OwnershipShare
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.models import House, Provider
from zhkh.modules.registry.repository import RegistryRepository

NOVEMBER = Period(2026, 11)  # 30 days
SOURCE = "ПП РФ №354, п. 42, прил. 2, ф. 4"


def _flat(session, *, second_from: date, second_to: date | None = None,
          first_to: date | None = None) -> None:
    """A flat of 54,3 m² without a cold water meter (none can be installed): cold water,
    wastewater, maintenance; A registered since 2015 (to ``first_to``), B from
    ``second_from`` (to ``second_to``)."""
    reg, passport = RegistryRepository(session), PassportRepository(session)
    vodokanal = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
    session.add(vodokanal)
    uk = Provider(code="uk_dom", name="УК", inn="7700000002")
    session.add(uk)
    house = reg.add_house(address="ул. Мира, д. 7", house_type="apartment_building",
                          heating_payment="season")
    flat = reg.add_premises(house_id=house.id, number="3", kind="flat", area_micro=54_300_000,
                            amenities="full", meter_installable={"cold_water": False})
    account = reg.add_account(number="0000123455", premises_id=flat.id,
                              opened_on=date(2020, 1, 1))
    for service, provider in (("cold_water", vodokanal), ("wastewater", vodokanal),
                              ("maintenance", uk)):
        reg.add_account_service(account_id=account.id, service=service,
                                provider_id=provider.id, date_from=date(2020, 1, 1))
    for name, start, end in (("A", date(2015, 1, 1), first_to),
                              ("B", second_from, second_to)):
        person = passport.add_person(full_name=name)
        passport.add_registration(person_id=person.id, premises_id=flat.id, kind="residence",
                                  date_from=start, date_to=end)
    session.flush()


def _columnar(session, calculator):
    houses = list(session.scalars(select(House.id)))
    batch = ColumnReader(session, NOVEMBER).for_houses(houses)
    result = calculate_columns(batch.facts, calculator.rulebook, calculator.engine)
    assert batch.slow == [] and result.slow.tolist() == []
    return to_lines(batch.facts, result, batch.numbers)


def _situation(session, calculator):
    (situation,) = FactsReader(session, NOVEMBER).for_houses(
        list(session.scalars(select(House.id)))).situations
    return calculate(situation, calculator.rulebook, calculator.engine).lines


def _key(line):
    return (line.service, line.date_from)


def test_a_second_resident_from_the_11th_of_a_30_day_month_cuts_the_norm_line(
        session, calculator):
    _flat(session, second_from=date(2026, 11, 11))
    lines = sorted(_columnar(session, calculator), key=_key)
    water = [ln for ln in lines if ln.service == "cold_water"]
    # 1–10 ноября один человек: 4,9 м³ × 10/30 = 1,633333 м³ (1,6333… округлено до 1e-6);
    #   1,633333 × 59,06 = 96,464647 → 96,46 ₽
    # 11–30 ноября двое: 2 × 4,9 = 9,8 м³ × 20/30 = 6,533333 м³;
    #   6,533333 × 59,06 = 385,858647 → 385,86 ₽
    assert [(ln.date_from, ln.date_to, ln.persons, ln.norm, ln.volume, ln.tariff, ln.amount)
            for ln in water] == [
        ("2026-11-01", "2026-11-10", 1, "4.9", "1.633333", "59.06", "96.46"),
        ("2026-11-11", "2026-11-30", 2, "4.9", "6.533333", "59.06", "385.86")]
    assert [ln.explain for ln in water] == [
        f"1 чел × 4,9 м³ × 10/30 дн. = 1,633333 м³ × 59,06 ₽/м³ = 96,46\u00a0₽ ({SOURCE})",
        f"2 чел × 4,9 м³ × 20/30 дн. = 6,533333 м³ × 59,06 ₽/м³ = 385,86\u00a0₽ ({SOURCE})"]
    assert all(ln.method == "norm" and ln.coefficient == "1" and ln.kind == "charge"
               for ln in water)
    # services that do not count residents keep one line for the whole month:
    # водоотведение (1,633333 + 6,533333) = 8,166666 м³ × 46,50 = 379,749969 → 379,75 ₽;
    # содержание 54,3 м² × 35,20 = 1 911,36 ₽
    rest = {ln.service: (ln.date_from, ln.date_to, ln.volume, ln.amount) for ln in lines
            if ln.service != "cold_water"}
    assert rest == {"wastewater": ("2026-11-01", "2026-11-30", "8.166666", "379.75"),
                    "maintenance": ("2026-11-01", "2026-11-30", "54.3", "1911.36")}
    assert [ln.model_dump() for ln in lines] == [
        ln.model_dump() for ln in sorted(_situation(session, calculator), key=_key)]


def test_a_stay_inside_the_month_gives_three_lines(session, calculator):
    # B stays 11–20 November: 1, 2, 1 persons
    _flat(session, second_from=date(2026, 11, 11), second_to=date(2026, 11, 20))
    water = [ln for ln in sorted(_columnar(session, calculator), key=_key)
             if ln.service == "cold_water"]
    # 4,9 × 10/30 = 1,633333; 9,8 × 10/30 = 3,266667; 4,9 × 10/30 = 1,633333
    assert [(ln.date_from, ln.date_to, ln.persons, ln.volume) for ln in water] == [
        ("2026-11-01", "2026-11-10", 1, "1.633333"),
        ("2026-11-11", "2026-11-20", 2, "3.266667"),
        ("2026-11-21", "2026-11-30", 1, "1.633333")]
    assert [ln.model_dump() for ln in water] == [
        ln.model_dump() for ln in sorted(_situation(session, calculator), key=_key)
        if ln.service == "cold_water"]


def test_one_leaving_as_another_comes_keeps_one_line_for_the_month(session, calculator):
    # A leaves after 10 November, B comes on the 11th: one person every day, as in
    # persons_segments (equal counts are one run): 4,9 м³ × 59,06 = 289,394 → 289,39 ₽
    _flat(session, first_to=date(2026, 11, 10), second_from=date(2026, 11, 11))
    water = [ln for ln in _columnar(session, calculator) if ln.service == "cold_water"]
    assert [(ln.date_from, ln.date_to, ln.persons, ln.volume, ln.amount) for ln in water] == [
        ("2026-11-01", "2026-11-30", 1, "4.9", "289.39")]
    assert water[0].explain == f"1 чел × 4,9 м³ = 4,9 м³ × 59,06 ₽/м³ = 289,39\u00a0₽ ({SOURCE})"


def test_residents_count_in_their_own_premises_only(session, calculator):
    """Residents are counted per premises, as the situation path reads them: a flat whose
    account is closed lends its resident to no neighbour, and two accounts of one flat in the
    month both count its residents."""
    reg, passport = RegistryRepository(session), PassportRepository(session)
    vodokanal = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
    session.add(vodokanal)
    house = reg.add_house(address="ул. Мира, д. 9", house_type="apartment_building",
                          heating_payment="season")
    flats = [reg.add_premises(house_id=house.id, number=str(n), kind="flat",
                              area_micro=40_000_000, amenities="full",
                              meter_installable={"cold_water": False}) for n in (1, 2, 3)]
    opened = [(flats[0], "0000123455", date(2020, 1, 1), date(2026, 10, 31)),  # closed
              (flats[1], "0000123463", date(2020, 1, 1), date(2026, 11, 15)),
              (flats[1], "0000123471", date(2026, 11, 16), None),
              (flats[2], "0000123489", date(2020, 1, 1), None)]
    for flat, number, start, end in opened:
        account = reg.add_account(number=number, premises_id=flat.id, opened_on=start,
                                  closed_on=end)
        reg.add_account_service(account_id=account.id, service="cold_water",
                                provider_id=vodokanal.id, date_from=start)
    # flat 1: three residents (its account closed); flat 2: two; flat 3: nobody, one owner
    for flat, count in ((flats[0], 3), (flats[1], 2), (flats[2], 0)):
        for _ in range(count):
            person = passport.add_person()
            passport.add_registration(person_id=person.id, premises_id=flat.id,
                                      kind="residence", date_from=date(2015, 1, 1))
    owner = passport.add_person()
    session.add(OwnershipShare(person_id=owner.id, premises_id=flats[2].id, numerator=1,
                               denominator=1, date_from=date(2010, 1, 1)))
    session.flush()
    got = sorted(_columnar(session, calculator), key=lambda ln: ln.account)
    # 2 чел × 4,9 = 9,8 м³ × 59,06 = 578,788 → 578,79 ₽ on each account of flat 2;
    # 1 собственник × 4,9 = 4,9 м³ × 59,06 = 289,394 → 289,39 ₽ in flat 3
    assert [(ln.account, ln.persons, ln.amount) for ln in got] == [
        ("0000123463", 2, "578.79"), ("0000123471", 2, "578.79"), ("0000123489", 1, "289.39")]
    expected = []
    for situation in FactsReader(session, NOVEMBER).for_houses([house.id]).situations:
        expected += calculate(situation, calculator.rulebook, calculator.engine).lines
    assert [ln.model_dump() for ln in got] == [
        ln.model_dump() for ln in sorted(expected, key=lambda ln: ln.account)]


def test_days_nobody_lives_in_a_flat_without_owners_are_not_charged_by_the_norm(
        session, calculator):
    # A leaves after 10 November, B stays 21–25 November, no owner is recorded:
    # 4,9 × 10/30 = 1,633333 м³ → 96,46 ₽; 4,9 × 5/30 = 0,816667 м³ × 59,06 = 48,232353 → 48,23 ₽
    _flat(session, first_to=date(2026, 11, 10), second_from=date(2026, 11, 21),
          second_to=date(2026, 11, 25))
    lines = sorted(_columnar(session, calculator), key=_key)
    water = [ln for ln in lines if ln.service == "cold_water"]
    assert [(ln.date_from, ln.date_to, ln.persons, ln.volume, ln.amount) for ln in water] == [
        ("2026-11-01", "2026-11-10", 1, "1.633333", "96.46"),
        ("2026-11-21", "2026-11-25", 1, "0.816667", "48.23")]
    assert [ln.model_dump() for ln in lines] == [
        ln.model_dump() for ln in sorted(_situation(session, calculator), key=_key)]
