"""Build the snapshots of a set of accounts (a house, or one account) from the database: one
bulk read per kind of fact (``sources``), then ``build`` per account. A per-account refusal
(no bank details of a provider, figures the model refuses) is a value, not an exception, so
a house goes on without the account and the run reports it.

Snapshots come out numbered ``"0"``: the service numbers the ones it stores.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period
from zhkh.modules.billing.models import BillingPeriod
from zhkh.modules.documents import build
from zhkh.modules.documents.build import BillDebt, Heading, Payee
from zhkh.modules.documents.lines import PENALTY, Titles, house_volumes, meter_readings
from zhkh.modules.documents.money import account_money
from zhkh.modules.documents.policy import NOTICE_DAYS, DocumentRules
from zhkh.modules.documents.schemas import PaymentDocument
from zhkh.modules.documents.sources import AccountRow, DocumentSources, Line
from zhkh.modules.errors import Conflict, DomainError, Invalid
from zhkh.modules.finance import contracts
from zhkh.modules.finance.balances import account_balance
from zhkh.modules.finance.models import ContractTerms

UNNUMBERED = "0"


@dataclass(frozen=True, slots=True)
class Built:
    """One account's snapshot, or why it has none."""

    account: AccountRow
    document: PaymentDocument | None = None
    error: str | None = None
    corrects_id: int | None = None
    code: str | None = None
    """The refusal's code (``nothing_to_correct``, ``no_bank_details`` …)."""


def delivery_key(a: AccountRow) -> tuple:
    """Flats in natural order (2 before 10, 10 before 10а), the rooms of a flat after it."""
    flat = a.parent_number if a.premises_kind == "room" and a.parent_number else \
        a.premises_number
    room = a.premises_number if a.premises_kind == "room" else ""
    return (natural(flat), natural(room), a.number)


def natural(text: str | None) -> tuple:
    """A sort key reading the numbers in ``text`` as numbers («д. 2» before «д. 10»)."""
    parts = re.split(r"(\d+)", text or "")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


class Assembler:
    """Snapshots of accounts as of ``issue_date`` (bank details in force that day)."""

    def __init__(self, session: Session, rules: DocumentRules, issue_date: date) -> None:
        self.session = session
        self.rules = rules
        self.day = issue_date
        self.src = DocumentSources(session)
        self.titles = Titles(rules.services)
        self._contracts: dict[tuple[int, str], tuple[int, ContractTerms] | None] = {}
        self._payees: dict[tuple[int, int], Payee | DomainError] = {}

    # monthly

    def monthly(self, accounts: list[AccountRow], period: str, closed_on: date
                ) -> list[Built]:
        """Monthly snapshots of ``accounts`` for the closed ``period``, in delivery order;
        an account with nothing to show (no lines, no money) is left out."""
        month = Period.parse(period)
        ids = [a.id for a in accounts]
        lines = self.src.lines(ids, period)
        before, needs = self._before(ids, period, lines)
        rows = self.src.allocations(ids, period)
        last = self.src.last_payments(ids, period)
        people = self._people(accounts, month.last_day)
        meters = self._meters(accounts, period)
        house = self._house(accounts, period)
        due = self.rules.finance.penalty.due_date(month)
        out = []
        for a in sorted(accounts, key=delivery_key):
            money = account_money(period, lines.get(a.id, ()), before.get(a.id, {}),
                                  rows.get(a.id, ()))
            shown = {line.provider_id for line in lines.get(a.id, ())
                     if line.service != PENALTY}
            active = {p: needs[a.id].get(p, set()) for p, m in money.purses.items()
                      if m.opening or m.charged or m.paid or m.penalties or p in shown}
            if not active:  # nothing billed, owed or paid: no document
                continue
            out.append(self._one(a, lambda a=a, money=money, active=active: build.monthly(
                self._heading(a, "monthly", period, due, people), lines.get(a.id, []), money,
                self._payees_of(a, active), self.titles,
                main_inn=self._company_inn(a), paid_until=closed_on,
                last_payment=last.get(a.id), meters=meters.get(a.premises_id, []),
                house=house.get(a.house_id, []))))
        return out

    def _before(self, ids: list[int], period: str, lines: dict[int, list[Line]]
                ) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, set[str]]]]:
        """The ledger before the month per account × provider, and the services each
        provider of an account is paid for (its lines of the month and before): the bank
        details are those of the contracts for these services."""
        before: dict[int, dict[int, int]] = defaultdict(dict)
        needs: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for (account, provider, service), amount in self.src.ledger_before(ids, period).items():
            before[account][provider] = before[account].get(provider, 0) + amount
            if service != PENALTY:
                needs[account][provider].add(service)
        for account, found in lines.items():
            for line in found:
                if line.service != PENALTY:
                    needs[account][line.provider_id].add(line.service)
        return before, needs

    # corrected

    def corrected(self, a: AccountRow, period: str, previous: PaymentDocument,
                  previous_id: int) -> Built:
        """The corrected snapshot of ``previous`` (the latest bill of the account's month);
        a refusal when nothing was recalculated since."""
        own = self.src.lines([a.id], period).get(a.id, [])
        later = self.src.lines([a.id], period, later_for=True).get(a.id, [])
        if not later:
            return Built(a, error=f"счёт {a.number}: после выпуска документа "
                                  f"№ {previous.number} перерасчётов за {period} не было",
                         code="nothing_to_correct")
        due = self.rules.finance.penalty.due_date(Period.parse(max(
            line.period_booked for line in later)))
        needs: dict[int, set[str]] = defaultdict(set)
        for line in [*own, *later]:
            if line.service != PENALTY:
                needs[line.provider_id].add(line.service)
        meters = self._meters([a], period).get(a.premises_id, [])

        def make() -> PaymentDocument:
            head = self._heading(a, "corrected", period, due, None)
            doc = build.corrected(head, previous, [*own, *later], self._payees_of(a, needs),
                                  self.titles, reason=build.correction_reason(period, later),
                                  meters=meters)
            if doc.charges == previous.charges and doc.capital_repair == previous.capital_repair:
                raise Conflict("nothing_to_correct", f"счёт {a.number}: документ № "
                               f"{previous.number} уже показывает все перерасчёты за {period}")
            return doc

        built = self._one(a, make)
        return Built(a, built.document, built.error, previous_id, built.code)

    # debt notice

    def notices(self, accounts: list[AccountRow], period: str) -> list[Built]:
        """Debt notices of the accounts owing for bills up to the closed ``period`` that
        are overdue on the notice's date (their due date by the penalty policy passed): the
        bill just issued is not a debt yet."""
        due_day = self.rules.finance.penalty.due_date
        closed = {p for p in self.session.scalars(select(BillingPeriod.period).where(
            BillingPeriod.status == "closed", BillingPeriod.period <= period))
            if due_day(Period.parse(p)) < self.day}
        ids = [a.id for a in accounts]
        people = self._people(accounts, self.day)
        last = self.src.last_payments(ids, str(Period.of(self.day)))
        due = self.day + timedelta(days=NOTICE_DAYS)
        out = []
        for a in sorted(accounts, key=delivery_key):
            debts = self._debts(a.id, closed)
            if not any(d.charged > d.paid or d.penalty_open > 0 for d in debts):
                continue
            needs: dict[int, set[str]] = defaultdict(set)
            for d in debts:
                needs[d.provider_id].update(d.services)
            plain = [BillDebt(d.provider_id, d.period, d.charged, d.paid, d.penalty_open)
                     for d in debts]
            out.append(self._one(a, lambda a=a, plain=plain, needs=needs: build.debt_notice(
                self._heading(a, "debt_notice", period, due, people), plain,
                self._payees_of(a, needs), paid_until=self.day, last_payment=last.get(a.id))))
        return out

    def _debts(self, account_id: int, closed: set[str]) -> list[_Debt]:
        found: dict[tuple[int, str], _Debt] = {}
        for k in account_balance(self.session, account_id).keys:
            if k.key.period not in closed:
                continue
            d = found.setdefault((k.key.provider_id, k.key.period),
                                 _Debt(k.key.provider_id, k.key.period))
            d.services.add(k.key.service)
            if k.key.service == PENALTY:
                d.penalty_open += k.open
            else:
                d.charged += sum(k.charged.values())
                d.paid += k.paid
        return list(found.values())

    # shared

    def _one(self, a: AccountRow, make) -> Built:
        try:
            return Built(a, make())
        except DomainError as error:
            return Built(a, error=f"счёт {a.number}: {error.message}", code=error.code)
        except ValidationError as error:
            first = error.errors()[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            return Built(a, error=f"счёт {a.number}: {message}", code="not_issuable")

    def _heading(self, a: AccountRow, kind: str, period: str, due: date,
                 people: tuple[dict[int, str], dict[int, int]] | None) -> Heading:
        payers, residents = people or ({}, {})
        company = self.src.company(a.company_id)
        if company is None:
            raise Invalid("house_without_company", f"у дома «{a.house_address}» нет "
                          "управляющей организации — исполнителя услуг")
        return Heading(kind, UNNUMBERED, period, self.day, due, a, payers.get(a.premises_id),
                       residents.get(a.premises_id, 0), build.executor(company))

    def _company_inn(self, a: AccountRow) -> str | None:
        company = self.src.company(a.company_id)
        return company.inn if company is not None else None

    def _people(self, accounts: list[AccountRow], day: date
                ) -> tuple[dict[int, str], dict[int, int]]:
        premises = [a.premises_id for a in accounts]
        return self.src.payers(premises, day), self.src.residents(premises, day)

    def _meters(self, accounts: list[AccountRow], period: str) -> dict[int, list[dict]]:
        out: dict[int, list] = defaultdict(list)
        for row in self.src.meters([a.premises_id for a in accounts], period):
            out[row.premises_id].append(row)
        return {p: meter_readings(rows, self.titles) for p, rows in out.items()}

    def _house(self, accounts: list[AccountRow], period: str) -> dict[int, list[dict]]:
        houses = sorted({a.house_id for a in accounts})
        meters = self.src.house_meters(houses, period)
        totals = self.src.house_totals(houses, period)
        if not meters and not totals:
            return {}
        charged = self.src.house_volumes(list(meters), period) if meters else {}
        return {h: house_volumes(meters.get(h, []),
                                 {s: v for (hh, s), v in charged.items() if hh == h},
                                 self.titles, {r: t for (hh, r), t in totals.items() if hh == h})
                for h in sorted(set(meters) | {h for h, _r in totals})}

    def _payees_of(self, a: AccountRow, needs: dict[int, set[str]]) -> dict[int, Payee]:
        out = {}
        for provider in needs:
            found = self._payees.get((a.house_id, provider))
            if found is None:
                found = self._payees[(a.house_id, provider)] = self._payee(
                    a.house_id, provider, needs[provider])
            if isinstance(found, DomainError):
                raise found
            out[provider] = found
        return out

    def _payee(self, house_id: int, provider_id: int, services: set[str]) -> Payee | DomainError:
        provider = self.src.providers([provider_id])[provider_id]
        terms = {}
        for service in sorted(services):
            key = (house_id, service)
            if key not in self._contracts:
                try:
                    contract = contracts.contract_for(self.session, house_id, service, self.day)
                except Conflict as error:
                    return error
                t = contracts.terms_on(self.session, contract.id, self.day) if contract else None
                self._contracts[key] = None if t is None or contract is None else (
                    contract.provider_id, t)
            found = self._contracts[key]
            if found is not None and found[0] == provider_id:
                terms[(found[1].bik, found[1].settlement_account)] = found[1]
        if not terms:
            return Invalid("no_bank_details", f"у поставщика «{provider.name}» нет договора с "
                           f"банковскими реквизитами для этого дома на {self.day:%d.%m.%Y}")
        if len(terms) > 1:
            return Conflict("provider_accounts_differ", f"у поставщика «{provider.name}» в "
                            "этом доме договоры с разными расчётными счетами")
        t = next(iter(terms.values()))
        return Payee(provider_id, provider.name, provider.inn, provider.kpp, t.bank_name,
                     t.bik, t.settlement_account, t.corr_account)


@dataclass(slots=True)
class _Debt:
    """One provider's keys of one bill month, and the services they are for."""

    provider_id: int
    period: str
    charged: int = 0
    paid: int = 0
    penalty_open: int = 0
    services: set[str] = field(default_factory=set)
