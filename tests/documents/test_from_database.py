"""Snapshots built from a real billed and paid database (the demo town, ``town.py``) show the
ledger and finance's balances to the kopeck; an issued document reprints byte for byte after
a retroactive change, which yields a corrected document instead; refusals name their cause.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from zhkh.adapters.print.render import check_printable
from zhkh.kernel.money import to_kopecks, to_micro
from zhkh.kernel.period import Period
from zhkh.modules.audit import Actor
from zhkh.modules.billing.models import HouseMonthTotal, LedgerLine
from zhkh.modules.documents import service
from zhkh.modules.finance import balances
from zhkh.modules.finance import service as finance
from zhkh.modules.meters.models import Meter, Reading
from zhkh.modules.meters.repository import is_current
from zhkh.modules.registry.models import Account, House, Premises

ISSUED_ON = date(2026, 11, 3)
ACTOR = Actor("оператор", "выпуск ЕПД")


def issue_period(session, rules, period: str, kind: str = "monthly"):
    """Issue ``kind`` for every house of the town; returns the stored rows, house by house."""
    closed = service.closed_on(session, period)
    rows = []
    for house_id in session.scalars(select(House.id).order_by(House.id)):
        done = service.issue_house(session, ACTOR, rules, house_id, kind, period,
                                   issue_date=ISSUED_ON, closed=closed, check=check_printable)
        assert done.errors == []
        rows += done.issued
    return rows


def unclamped(doc) -> int:
    """What the document says the account owes, before each recipient's «не меньше нуля»."""
    return sum(r.opening_balance + r.charged + r.penalties - r.paid for r in doc.recipients)


def numbers(session) -> dict[int, str]:
    return dict(session.execute(select(Account.id, Account.number)).all())


class TestTheMonthlyDocumentIsTheBooks:
    def test_every_account_of_the_month_gets_one_with_its_ledger_lines(self, town, rules):
        rows = issue_period(town, rules, "2026-10")
        ledger = town.execute(select(LedgerLine.account_id, LedgerLine.provider_id,
                                     func.sum(LedgerLine.amount_kopecks))
                              .where(LedgerLine.period_booked == "2026-10",
                                     LedgerLine.service != "penalty")
                              .group_by(LedgerLine.account_id, LedgerLine.provider_id)).all()
        expected: dict[int, dict[str, int]] = defaultdict(dict)
        for account, provider, total in ledger:
            expected[account][f"p{provider}"] = int(total)
        assert {r.account_id for r in rows} == set(expected)
        for row in rows:
            doc = service.snapshot_of(row)
            shown = {r.id: r.charged for r in doc.recipients if r.charged}
            assert shown == {k: v for k, v in expected[row.account_id].items() if v}, doc.account
            assert doc.total_to_pay == row.total_kopecks

    def test_what_it_says_is_owed_is_finances_balance_to_the_kopeck(self, town, rules):
        # 2026-10 is the last closed month and nothing was posted since: the balance now is
        # the balance its document shows
        for row in issue_period(town, rules, "2026-10"):
            doc = service.snapshot_of(row)
            owed = to_kopecks(finance.balance(town, doc.account).balance)
            assert unclamped(doc) == owed, doc.account
            if all(r.opening_balance + r.charged + r.penalties - r.paid >= 0
                   for r in doc.recipients):
                assert doc.total_to_pay == max(owed, 0)

    def test_a_past_month_matches_its_turnover_sheet_net_of_the_advance(self, town, rules):
        docs = [service.snapshot_of(r) for r in issue_period(town, rules, "2026-09")]
        houses = _houses(town)
        owed: dict[int, int] = defaultdict(int)
        for doc in docs:
            owed[houses[doc.account]] += unclamped(doc)
        for house_id, total in owed.items():
            sheet = balances.turnover(town, "2026-09", "account", house_id=house_id)
            assert total == sheet.total.closing - sheet.advance_closing, house_id

    def test_each_month_opens_with_what_the_month_before_closed(self, town, rules):
        before = {service.snapshot_of(r).account: unclamped(service.snapshot_of(r))
                  for r in issue_period(town, rules, "2026-09")}
        for row in issue_period(town, rules, "2026-10"):
            doc = service.snapshot_of(row)
            assert sum(r.opening_balance for r in doc.recipients) == before.get(doc.account, 0)

    def test_it_is_due_on_the_penalty_policys_day_and_counts_payments_until_the_close(
            self, town, rules):
        (row, *_) = issue_period(town, rules, "2026-10")
        doc = service.snapshot_of(row)
        assert doc.due_date == rules.finance.penalty.due_date(Period(2026, 10)) == \
            date(2026, 11, 15)
        assert {r.paid_until for r in doc.recipients} == {service.closed_on(town, "2026-10")}

    def test_numbers_follow_delivery_order_and_a_second_run_issues_nothing(self, town, rules):
        rows = issue_period(town, rules, "2026-10")
        assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0].number == "ЕПД-2026-10-0000001"
        again = service.issue_house(town, ACTOR, rules, rows[0].house_id, "monthly",
                                    "2026-10", issue_date=ISSUED_ON,
                                    closed=service.closed_on(town, "2026-10"))
        assert again.issued == [] and again.skipped == sum(
            1 for r in rows if r.house_id == rows[0].house_id)


class TestReferenceInformation:
    def test_a_house_with_a_meter_shows_its_volume_and_what_its_flats_were_charged(
            self, town, rules):
        meter = town.execute(select(Meter.id, Meter.house_id).where(
            Meter.kind == "house", Meter.service == "heating")).first()
        assert meter is not None, "the demo town has a house heat meter"
        readings = dict(town.execute(select(Reading.taken_on, Reading.value_micro).where(
            Reading.meter_id == meter.id, Reading.taken_on >= date(2026, 9, 1),
            is_current())).all())
        house_volume = readings[date(2026, 10, 31)] - readings[date(2026, 9, 30)]
        charged = town.scalar(select(func.sum(LedgerLine.volume_micro))
                              .join(Account, Account.id == LedgerLine.account_id)
                              .join(Premises, Premises.id == Account.premises_id)
                              .where(Premises.house_id == meter.house_id,
                                     LedgerLine.period_booked == "2026-10",
                                     LedgerLine.kind == "charge",
                                     LedgerLine.service == "heating"))
        issued = issue_period(town, rules, "2026-10")
        rows = [r for r in issued if r.house_id == meter.house_id]
        assert rows and len(rows) < len(issued)
        for row in rows:
            (volume,) = [v for v in service.snapshot_of(row).reference.house_volumes
                         if v.service == "Отопление"]
            assert volume.unit == "Гкал"
            assert to_micro(volume.house_meter) == house_volume
            assert to_micro(volume.individual) == charged
            assert to_micro(volume.common) == house_volume - charged
        common = set(town.scalars(select(HouseMonthTotal.house_id).where(
            HouseMonthTotal.period == "2026-10")))
        others = [r for r in issued if r.house_id != meter.house_id and r.house_id not in common]
        assert all(not service.snapshot_of(r).reference.house_volumes for r in others)


def _houses(session) -> dict[str, int]:
    return dict(session.execute(select(Account.number, Premises.house_id)
                                .join(Premises, Premises.id == Account.premises_id)).all())
