"""The annual correction of heating paid evenly, by the house meter (ПП РФ №354, прил. 2,
ф. 3(2)): Pi = Pк.пр × Si / Sоб − Pi.п.

In the month a method rule names (``annual_correction: {month: …}``, e.g. January; ПП 354
п. 42(1): the first quarter), an account whose heating is decided by that rule gets one
``recalculation`` line for the previous calendar year:

- Pк.пр × Si / Sоб is taken month by month, as formula 3 would have charged it: the house
  meter's volume of the month × Si / Sоб (Гкал, fixed point 1e-6, half up) × the tariff in force
  on the month's first day (kopecks, half up) — twelve SHARE rows of the charge kernel, so the
  compiled kernel and its Decimal twin do the arithmetic, and a tariff changed inside the year
  prices each month at its own tariff;
- Pi.п is what the account was charged for heating over that year (``charged_last_year`` of the
  situation's service; the monthly run sums the ledger);
- the line is their difference (negative: money back), with the explain naming the year, the
  house's volume, the areas, both sums and the clause.

An account charged nothing for that year in a house with no meter volume of it (the first year
of the rule) gets no line.

The house meter's monthly volumes of the year come in ``house.heating_last_year``; a month
missing, no total area or no sum charged is an error naming what is missing.
"""

from __future__ import annotations

import numpy as np

from zhkh.kernel.calc.catalog import Catalog
from zhkh.kernel.calc.decide import Decider
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.signature import build_signature
from zhkh.kernel.calc.situation import Account, AccountService, House, Situation
from zhkh.kernel.charges import OK, SHARE, compute_arrays
from zhkh.kernel.engine import Engine
from zhkh.kernel.money import (
    MICRO,
    format_decimal_ru,
    format_kopecks,
    format_micro,
    format_rub_ru,
    to_kopecks,
    to_micro,
)
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook, TariffRule

SOURCE = "ПП РФ №354, п. 42(1), прил. 2, ф. 3(2)"
MONTHS = 12


def correction_due(situation: Situation, decider: Decider) -> list[tuple[Account, AccountService,
                                                                        str]]:
    """(account, service, method rule id) of every account × service whose method rule
    corrects the previous year in this period's month."""
    period = situation.period_value
    due = []
    for account in situation.accounts:
        for service in account.services:
            if service.meters:
                continue  # a service by an individual meter is never corrected by the house's
            sig = build_signature(situation.house, account, service, [], period)
            try:
                decision = decider.method(sig, account.number)
            except CalculationError:
                continue  # the charge of the month already names the error
            if decision.correction_month == period.month:
                due.append((account, service, decision.rule.id))
    return due


def correction_lines(situation: Situation, rulebook: Rulebook, engine: Engine) -> list[Line]:
    """The ф. 3(2) recalculation lines of the situation's period (none outside the rules'
    correction month). ``situation`` must have its derived facts filled
    (:func:`~zhkh.kernel.calc.fact_rules.with_derived_facts`)."""
    decider = Decider(rulebook, engine)
    catalog = Catalog(rulebook)
    out = []
    for account, service, rule_id in correction_due(situation, decider):
        spec = catalog.service(service.service, account.number)
        sig = build_signature(situation.house, account, service, [], situation.period_value)
        tariff = decider.tariff(sig, spec.components[0].code, None, account.number)
        line = _line(situation, account, service, rule_id, tariff, spec.unit)
        if line is not None:
            out.append(line)
    return out


def _line(situation: Situation, account: Account, service: AccountService, rule_id: str,
          tariff: TariffRule, unit: str) -> Line | None:
    period = situation.period_value
    year = period.year - 1
    if service.charged_last_year is None:
        raise CalculationError(
            "charged_missing", f"для корректировки отопления за {year} год (ф. 3(2)) нужна сумма, "
            "начисленная за год (charged_last_year)", account=account.number,
            service=service.service)
    if not situation.house.heating_last_year and service.charged_last_year == 0:
        return None  # nothing charged and nothing metered that year: nothing to correct
    volumes, total = _house_year(situation.house, year, account.number, service.service)
    prices = [_price(tariff, Period(year, m), account.number, service.service)
              for m in range(1, MONTHS + 1)]
    n = MONTHS
    got = compute_arrays(
        np.arange(n, dtype=np.int32), np.array(volumes, np.int64),
        np.full(n, to_micro(account.area), np.int64), np.full(n, total, np.int64),
        np.ones(n, np.int32), np.ones(n, np.int32), np.full(n, SHARE, np.int8),
        np.full(n, MICRO, np.int64), np.array(prices, np.int64), np.full(n, MICRO, np.int64))
    if got.failed or any(int(s) != OK for s in got.status):
        raise CalculationError("overflow", f"корректировка отопления за {year} год: числа вне "
                               "допустимого диапазона", account=account.number,
                               service=service.service)
    volume, cost = int(got.volume.sum()), int(got.amount.sum())
    charged = to_kopecks(service.charged_last_year)
    explain = (f"Корректировка за {year} год по ОДПУ: {format_decimal_ru(sum(volumes))} Гкал × "
               f"{format_decimal_ru(to_micro(account.area))} / {format_decimal_ru(total)} м² = "
               f"{format_decimal_ru(volume)} {unit} (по месяцам), по тарифам месяцев "
               f"{format_rub_ru(cost)} − начислено за год {format_rub_ru(charged)} = "
               f"{format_rub_ru(cost - charged)} ({SOURCE})")
    return Line(account=account.number, service=service.service, provider=service.provider,
                period=str(period), date_from=period.first_day.isoformat(),
                date_to=period.last_day.isoformat(), kind="recalculation",
                method="house_share", rule_ids=[rule_id, tariff.id], source=SOURCE,
                volume=format_micro(volume), unit=unit, tariff=format_micro(prices[-1]),
                coefficient="1", amount=format_kopecks(cost - charged), excess="0.00",
                explain=explain)


def _house_year(house: House, year: int, account: str, service: str) -> tuple[list[int], int]:
    """The house meter's volume of every month of ``year`` (1e-6) and the total area."""
    given = house.heating_last_year or {}
    missing = [f"{year}-{m:02d}" for m in range(1, MONTHS + 1) if f"{year}-{m:02d}" not in given]
    if missing or not house.total_area:
        what = (f"объёмов ОДПУ за месяцы {', '.join(missing)} (heating_last_year)" if missing
                else "площади всех помещений дома (total_area)")
        raise CalculationError("house_data_missing", f"для корректировки отопления за {year} "
                               f"год (ф. 3(2)) нет {what}", account=account, service=service)
    return ([to_micro(given[f"{year}-{m:02d}"]) for m in range(1, MONTHS + 1)],
            to_micro(house.total_area))


def _price(tariff: TariffRule, month: Period, account: str, service: str) -> int:
    value = tariff.values.at(month.first_day)
    if value is None:
        raise CalculationError("no_value", f"у правила {tariff.id} нет тарифа на "
                               f"{month.first_day.isoformat()}", account=account,
                               service=service)
    return to_micro(value)


__all__ = ["correction_due", "correction_lines"]
