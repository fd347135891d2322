"""Payments to one account posted at the same moment never allocate the same debt twice."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhkh.adapters.db import create_db_engine, upgrade
from zhkh.modules.audit import Actor
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance.models import Allocation
from zhkh.modules.finance.payments import NewPayment, post
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository

from .test_payments import BOOK, charge, provider


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_eight_cashiers_paying_one_bill_at_once_leave_it_paid_once(empty_database, backend):
    url = empty_database(backend)
    upgrade(url)
    engine = create_db_engine(url)
    try:
        with Session(engine) as s, s.begin():
            reg = RegistryRepository(s)
            prov = provider(s, "voda", "Водоканал", "7700000000").id
            house = reg.add_house(address="ул. Кассовая, 1")
            flat = reg.add_premises(house_id=house.id, number="1", kind="flat")
            account = reg.add_account(number=make_account_number(555), premises_id=flat.id,
                                      opened_on=date(2020, 1, 1)).id
            periods = PeriodRepository(s)
            periods.open("2026-09")
            charge(s, account, prov, "2026-09", 100_000)
            periods.close("2026-09")
            periods.open("2026-10")
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def cashier() -> None:
            try:
                barrier.wait()
                with Session(engine) as s, s.begin():
                    post(s, Actor("cashier"), NewPayment(
                        account_id=account, paid_on=date(2026, 10, 5), amount_kopecks=30_000,
                        channel="cashdesk", received_on=date(2026, 10, 5)), BOOK)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=cashier) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with Session(engine) as s:
            kinds = dict(s.execute(select(Allocation.kind, func.sum(Allocation.amount_kopecks))
                                   .group_by(Allocation.kind)).all())
        # 8 × 300,00 = 2 400,00: the bill of 1 000,00 once, 1 400,00 as an advance
        assert {k: int(v) for k, v in kinds.items()} == {"principal": 100_000,
                                                         "advance": 140_000}
    finally:
        engine.dispose()
