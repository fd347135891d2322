"""A bank registry posted whole: identified lines become payments, unknown accounts wait as
unidentified payments, a re-exported file posts only its new lines, the same file twice is
refused — the way the finance department sees a day's files."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pytest
from sqlalchemy import func, select

from zhkh.modules.audit import Actor
from zhkh.modules.errors import Conflict
from zhkh.modules.finance.models import Payment, RegistryLine
from zhkh.modules.finance.registries import import_registry, match, unidentified

from .test_payments import BOOK, bill, close, open_of

BANK = Actor("bank-import", "реестр Сбербанка")


class Line(NamedTuple):
    payment_date: date
    account: str
    amount: int
    commission: int = 0
    operation_id: str | None = None
    payer: str | None = None
    address: str | None = None
    period: object = None
    readings: tuple = ()
    line_number: int = 0
    raw: str = ""


class Totals(NamedTuple):
    line_count: int
    amount: int
    commission: int


class File(NamedTuple):
    profile: str
    file_name: str
    content_hash: str
    lines: tuple
    totals: Totals


def file(name: str, *lines: Line) -> File:
    numbered = tuple(ln._replace(line_number=i + 1) for i, ln in enumerate(lines))
    return File("sberbank_classic", name, name * 8, numbered,
                Totals(len(lines), sum(x.amount for x in lines),
                       sum(x.commission for x in lines)))


def payments(session):
    return session.scalar(select(func.count()).select_from(Payment))


class TestADayOfTheBank:
    def test_known_accounts_are_paid_and_an_unknown_one_waits(self, session, world):
        acc, prov = world.accounts[0], world.provider.id
        bill(session, acc.id, prov, "2026-09", 100_000)
        close(session, "2026-09")
        report = import_registry(session, BANK, file(
            "a1", Line(date(2026, 10, 3), acc.number, 60_000, 600, "op-1"),
            Line(date(2026, 10, 3), "0000000000", 5_000, 50, "op-2")), BOOK)
        assert (report.posted, report.unidentified, report.duplicates) == (1, 1, 0)
        assert report.posted_kopecks == 60_000 and report.commission_kopecks == 650
        assert sum(open_of(session, acc.id).values()) == 40_000
        waiting, total = unidentified(session)
        assert total == 1 and waiting[0].amount_kopecks == 5_000

    def test_the_same_file_again_is_refused_and_posts_nothing(self, session, world):
        acc = world.accounts[0]
        f = file("a2", Line(date(2026, 10, 3), acc.number, 60_000, 0, "op-1"))
        import_registry(session, BANK, f, BOOK)
        with pytest.raises(Conflict) as refused:
            import_registry(session, BANK, f, BOOK)
        assert refused.value.code == "registry_already_loaded"
        assert payments(session) == 1

    def test_a_re_exported_file_posts_only_its_new_lines(self, session, world):
        acc = world.accounts[0]
        first = Line(date(2026, 10, 3), acc.number, 60_000, 0, "op-1")
        import_registry(session, BANK, file("a3", first), BOOK)
        report = import_registry(session, BANK, file(
            "a4", first, Line(date(2026, 10, 4), acc.number, 10_000, 0, "op-9")), BOOK)
        assert (report.posted, report.duplicates) == (1, 1)
        assert payments(session) == 2
        statuses = session.scalars(select(RegistryLine.status).order_by(RegistryLine.id)).all()
        assert statuses == ["posted", "duplicate", "posted"]


def test_an_operator_matches_an_unidentified_payment_to_its_account(session, world):
    acc, prov = world.accounts[1], world.provider.id
    bill(session, acc.id, prov, "2026-09", 10_000)
    close(session, "2026-09")
    import_registry(session, BANK, file("a5", Line(date(2026, 10, 3), "1234", 7_000, 0, "x")),
                    BOOK)
    line = unidentified(session)[0][0]
    payment = match(session, Actor("operator", "ЛС указан с опечаткой"), line.id, acc.id, BOOK)
    assert payment.amount_kopecks == 7_000 and payment.registry_line_id == line.id
    assert unidentified(session)[1] == 0
    assert sum(open_of(session, acc.id).values()) == 3_000
    with pytest.raises(Conflict):
        match(session, Actor("operator", "ещё раз"), line.id, acc.id, BOOK)


def test_an_implausible_reading_in_a_bank_line_is_held_for_review_and_the_payment_posted(
        session, world, shipped):
    from decimal import Decimal

    from zhkh.adapters.bank.model import Reading as BankReading
    from zhkh.modules.billing.reading_checks import RuleReadingChecks
    from zhkh.modules.meters.models import Reading, ReadingReview
    from zhkh.modules.meters.repository import MeterRepository

    acc = world.accounts[0]
    meters = MeterRepository(session)
    meter = meters.add_meter(serial="ХВ-1", service="cold_water", kind="individual",
                             installed_on=date(2024, 1, 1), premises_id=world.flats[0].id)
    meters.add_reading(meter_id=meter.id, taken_on=date(2026, 9, 24), value_micro=115_000_000,
                       source="portal", source_id="p-1")
    checks = RuleReadingChecks(shipped.rulebook, today=lambda: date(2026, 10, 26))
    report = import_registry(session, BANK, file(
        "r1", Line(date(2026, 10, 3), acc.number, 60_000, 0, "op-r1",
                   readings=(BankReading("ХВ-1", Decimal("99999")),))), BOOK, checks=checks)
    assert report.posted == 1 and report.readings == 0
    (held,) = report.readings_held
    assert "ХВ-1" in held and "volume_above_maximum" in held
    review = session.scalar(select(ReadingReview))
    assert (review.source, review.status, review.value_micro) == (
        "bank_registry", "pending", 99_999_000_000)
    assert session.scalar(select(func.count()).select_from(Reading)) == 1


def test_what_the_bank_wrote_is_stored_exactly_even_with_tabs_and_backslashes(session, world):
    """On PostgreSQL the lines are COPYed as text: a tab, a backslash or a ``\\N`` inside a
    value is escaped, not taken for a column break or a NULL."""
    acc = world.accounts[0]
    odd = "Иванов\\N\tИ.\\И. \\\\ «ООО»\r"
    line = Line(date(2026, 10, 3), acc.number, 12_345, 5, "op\\1\t", odd, "ул.\\Ленина\t1",
                raw=f"03-10-2026;{acc.number};{odd}")
    report = import_registry(session, BANK, file("odd", line, line._replace(
        account="0000000000", operation_id=None, payer=None, address=None)), BOOK)
    assert (report.posted, report.unidentified) == (1, 1)
    stored = session.execute(select(RegistryLine.operation_id, RegistryLine.payer,
                                    RegistryLine.address, RegistryLine.raw)
                             .order_by(RegistryLine.id)).all()
    assert [tuple(x) for x in stored] == [("op\\1\t", odd, "ул.\\Ленина\t1", line.raw),
                                          (None, None, None, line.raw)]
    payment = session.scalars(select(Payment)).one()
    assert (payment.operation_id, payment.amount_kopecks) == ("op\\1\t", 12_345)
