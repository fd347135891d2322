"""The money block of a month (``money.py``, ``build.monthly``) on hand-made rows: what it
says is owed is the ledger up to the month less every row of S(M), whatever the rows; each
figure a payer reads is never below zero; the advance shows on the main recipient."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel.rulebook.services import ServiceCatalogue
from zhkh.modules.documents.build import Heading, Payee, monthly
from zhkh.modules.documents.lines import Titles
from zhkh.modules.documents.money import AccountMoney, Purse, account_money
from zhkh.modules.documents.sources import AccountRow, Line, MoneyRow
from zhkh.modules.finance.requisites import account_key

M, BEFORE, AFTER = "2026-10", "2026-09", "2026-11"
PERIODS = ("2026-08", BEFORE, M, AFTER)


def _in_s(row: MoneyRow, month: str, nxt: str) -> bool:
    """S(month), written out again: booked up to the month, or the next month's first-day
    rows of payments posted up to the month."""
    return row.period_booked <= month or (row.period_booked == nxt
                                          and row.posted_period <= month and row.first_day)


money_rows = st.builds(
    MoneyRow, provider_id=st.sampled_from([None, 1, 2, 3]),
    period_booked=st.sampled_from(PERIODS), posted_period=st.sampled_from(PERIODS),
    first_day=st.booleans(), amount=st.integers(-50_000, 50_000))
lines = st.builds(
    Line, account_id=st.just(1), service=st.sampled_from(["cold_water", "heating", "penalty"]),
    component=st.none(), zone=st.none(), provider_id=st.sampled_from([1, 2, 3]),
    period_for=st.just(M), period_booked=st.just(M), kind=st.just("charge"),
    method=st.none(), volume_micro=st.none(), tariff_micro=st.none(),
    amount=st.integers(-20_000, 90_000), explain=st.none())


@given(st.lists(lines, max_size=8), st.dictionaries(st.sampled_from([1, 2, 3]),
                                                    st.integers(-10_000, 200_000)),
       st.lists(money_rows, max_size=20))
def test_what_it_says_is_owed_is_the_ledger_less_the_rows_of_the_month(found, before, rows):
    money = account_money(M, found, before, rows)
    owed = sum(p.closing for p in money.purses.values()) - money.advance
    ledger = sum(before.values()) + sum(line.amount for line in found)
    assert owed == ledger - sum(r.amount for r in rows if _in_s(r, M, AFTER))
    for purse in money.purses.values():
        assert purse.paid >= 0 and purse.penalties >= 0
    # what is new this month is split between payments of the month and old advances
    new = [r for r in rows if _in_s(r, M, AFTER) and not _in_s(r, BEFORE, M)]
    assert money.advance_new == sum(r.amount for r in new
                                    if r.provider_id is None and r.posted_period == M)


def test_advances_spent_when_the_month_before_closed_are_not_this_months_payments():
    rows = [MoneyRow(None, BEFORE, BEFORE, False, 500),  # paid in September beyond its bill
            MoneyRow(1, M, BEFORE, True, 500),        # advance of September spent on 1 Oct
            MoneyRow(None, M, BEFORE, True, -500),
            MoneyRow(1, M, M, False, 1_000),          # paid in October
            MoneyRow(None, M, M, False, 300),         # … with 300 over
            MoneyRow(1, AFTER, M, True, 300),         # spent on October's bill at its close
            MoneyRow(None, AFTER, M, True, -300),
            MoneyRow(1, AFTER, AFTER, True, 50)]      # a November payment: not October's
    money = account_money(M, [], {1: 2_000}, rows)
    purse = money.purses[1]
    assert (purse.opening, purse.paid) == (2_000 - 500, 1_300)
    assert money.advance == 0


def _doc(money: AccountMoney):
    account = AccountRow(1, "1000000016", 1, "5", "flat", None, 54_300_000, 1, "ул. Мира, 1",
                         1)
    head = Heading("monthly", "0", M, date(2026, 11, 3), date(2026, 11, 15), account, None, 2,
                   {"name": "ООО «УК»", "address": "ул. Мира, 1", "phone": "", "email": "",
                    "website": "", "hours": ""})
    payees = {}
    for provider, inn in ((1, "7701000019"), (2, "7701000026")):
        body = f"40702810{0}{provider:011d}"
        number = body[:8] + str(account_key(body, "044525225")) + body[9:]
        payees[provider] = Payee(provider, f"Поставщик {provider}", inn, None, "ПАО СБЕРБАНК",
                                 "044525225", number, "30101810400000000225")
    charge = [Line(1, "heating", None, None, p, M, M, "charge", "area", None, None, 1_000, None)
              for p in (1, 2)]
    return monthly(head, charge, money, payees, Titles(ServiceCatalogue()),
                   main_inn="7701000026", paid_until=date(2026, 11, 1), last_payment=None,
                   meters=[], house=[])


def test_an_advance_is_shown_on_the_management_companys_recipient_and_nothing_is_to_pay():
    money = AccountMoney({1: Purse(0, 1_000, 0, 0), 2: Purse(0, 1_000, 0, 0)},
                         advance_old=3_000, advance_new=500)
    doc = _doc(money)
    main = next(r for r in doc.recipients if r.inn == "7701000026")
    assert (main.opening_balance, main.paid) == (-3_000, 500)
    assert doc.total_to_pay == 1_000  # the other provider is owed; the advance is not its
    assert "Аванс (переплата) на конец периода: 3" in doc.reference.notes[0]
    assert sum(r.opening_balance + r.charged + r.penalties - r.paid for r in doc.recipients) \
        == 2_000 - 3_500
