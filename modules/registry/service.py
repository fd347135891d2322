"""Registry services: houses, premises, accounts and their services.

A change of an area reaches recalculation through the ``Seams`` the caller hands in
(``modules/seams.py``); registry never imports billing.

Services validate, apply, and write an audit entry in the caller's transaction; they never
commit. Every function taking an ``Actor`` is a mutation and is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period as Month
from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Conflict, Invalid, NotFound
from zhkh.modules.registry.account_number import AccountNumberError, make_account_number
from zhkh.modules.registry.models import (
    Account,
    AccountService,
    House,
    HouseCommonDecision,
    Premises,
)
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.registry.schemas import (
    AccountCreate,
    AccountOut,
    AccountServiceIn,
    AccountUpdate,
    CommonDecisionCreate,
    HouseCreate,
    HouseUpdate,
    PremisesCreate,
    PremisesUpdate,
)
from zhkh.modules.schemas import AccountRecalc, micro
from zhkh.modules.seams import Seams

HOUSE_FIELDS = ("address", "fias_guid", "management_company_id", "house_type",
                "house_heat_meter", "heating_payment", "total_area_micro", "common_area_micro")
PREMISES_FIELDS = ("house_id", "number", "kind", "area_micro", "rooms", "amenities", "parent_id")
ACCOUNT_FIELDS = ("number", "premises_id", "opened_on", "closed_on")
SERVICE_FIELDS = ("account_id", "service", "provider_id", "date_from", "date_to")
_AREAS = {"total_area": "total_area_micro", "common_area": "common_area_micro",
          "area": "area_micro"}


def changes_of(data: Any) -> dict[str, Any]:
    """The fields a PATCH body sets (``reason`` excluded), decimal strings → fixed point."""
    out = {}
    for name, value in data.model_dump(exclude_unset=True, exclude={"reason"}).items():
        out[_AREAS.get(name, name)] = micro(value) if name in _AREAS else value
    return out


def apply(obj: Any, changes: dict[str, Any], required: Iterable[str] = ()) -> None:
    """Set attributes; a required one set to null is an ``Invalid`` naming the field."""
    for name in required:
        if name in changes and changes[name] is None:
            raise Invalid("field_required", f"поле {name} не может быть пустым", field=name)
    for name, value in changes.items():
        setattr(obj, name, value)


# houses

def get_house(session: Session, house_id: int) -> House:
    """The house or ``NotFound`` (``house_not_found``)."""
    return get_or_not_found(session, House, house_id, code="house_not_found",
                            message=f"дом {house_id} не найден", obj=f"house:{house_id}")


def create_house(session: Session, actor: Actor, data: HouseCreate) -> House:
    """A new house; a duplicate FIAS GUID is a ``Conflict``."""
    _fias_free(session, data.fias_guid, None)
    house = RegistryRepository(session).add_house(
        address=data.address, fias_guid=data.fias_guid,
        management_company_id=data.management_company_id, house_type=data.house_type,
        house_heat_meter=data.house_heat_meter, heating_payment=data.heating_payment,
        total_area_micro=micro(data.total_area), common_area_micro=micro(data.common_area))
    audit.record(session, actor.with_reason(data.reason), action="house.create",
                 object_type="house", object_id=house.id,
                 after=audit.snapshot(house, HOUSE_FIELDS))
    return house


def update_house(session: Session, seams: Seams, actor: Actor, house_id: int,
                 data: HouseUpdate) -> House:
    """Change house attributes; an area change queues recalculation of the house's accounts."""
    house = get_house(session, house_id)
    changes = changes_of(data)
    if "fias_guid" in changes:
        _fias_free(session, changes["fias_guid"], house_id)
    before = audit.snapshot(house, HOUSE_FIELDS)
    apply(house, changes, required=("address", "house_type", "house_heat_meter",
                                    "heating_payment", "total_area_micro", "common_area_micro"))
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="house.update",
                 object_type="house", object_id=house.id, before=before,
                 after=audit.snapshot(house, HOUSE_FIELDS))
    if {"total_area_micro", "common_area_micro"} & changes.keys():
        accounts = RegistryRepository(session).accounts_of_house(house_id)
        seams.recalculation.enqueue(session, (a.id for a in accounts),
                                    seams.recalculation.current_period(session),
                                    f"изменена площадь дома {house_id}")
    return house


def add_common_decision(session: Session, seams: Seams, actor: Actor, house_id: int,
                        data: CommonDecisionCreate) -> HouseCommonDecision:
    """Record the house's dated decision on the common-property cap; one per house and
    date (``Conflict`` ``common_decision_exists``). The house's accounts are recalculated from
    the decision's month by the next run (closed months as recalculation lines)."""
    get_house(session, house_id)
    taken = session.scalar(select(HouseCommonDecision.id).where(
        HouseCommonDecision.house_id == house_id,
        HouseCommonDecision.date_from == data.date_from))
    if taken is not None:
        raise Conflict("common_decision_exists",
                       f"у дома {house_id} уже есть решение с {data.date_from.isoformat()} "
                       f"(№ {taken}); новое решение — с другой даты", field="date_from")
    row = HouseCommonDecision(house_id=house_id, date_from=data.date_from,
                              cap_lifted=data.cap_lifted, document=data.document)
    session.add(row)
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="house.common_decision",
                 object_type="house", object_id=house_id,
                 after={"id": row.id, "date_from": data.date_from.isoformat(),
                        "cap_lifted": data.cap_lifted, "document": data.document})
    accounts = RegistryRepository(session).accounts_of_house(house_id)
    seams.recalculation.enqueue(session, (a.id for a in accounts),
                                str(Month.of(data.date_from)),
                                f"решение общего собрания дома {house_id} о СОИ")
    return row


def common_decisions(session: Session, house_id: int) -> list[HouseCommonDecision]:
    """The house's decisions on the common-property cap, by date."""
    get_house(session, house_id)
    return list(session.scalars(select(HouseCommonDecision).where(
        HouseCommonDecision.house_id == house_id).order_by(HouseCommonDecision.date_from)))


def _fias_free(session: Session, guid: str | None, own_id: int | None) -> None:
    if guid is None:
        return
    other = session.scalar(select(House.id).where(House.fias_guid == guid))
    if other is not None and other != own_id:
        raise Conflict("house_exists", f"дом с ФИАС {guid} уже есть (дом {other})",
                       field="fias_guid", obj=f"house:{other}")


# premises

def get_premises(session: Session, premises_id: int) -> Premises:
    """The premises or ``NotFound`` (``premises_not_found``)."""
    return get_or_not_found(session, Premises, premises_id, code="premises_not_found",
                            message=f"помещение {premises_id} не найдено",
                            obj=f"premises:{premises_id}")


def create_premises(session: Session, actor: Actor, data: PremisesCreate) -> Premises:
    """A new premises in an existing house; its number is unique in the house."""
    _exists(session, House, data.house_id, "house_not_found", "house_id", "дом")
    _premises_shape(session, data.house_id, data.kind, data.parent_id)
    _number_free(session, data.house_id, data.number, None)
    premises = RegistryRepository(session).add_premises(
        house_id=data.house_id, number=data.number, kind=data.kind,
        area_micro=micro(data.area), rooms=data.rooms, amenities=data.amenities,
        parent_id=data.parent_id, meter_installable=data.meter_installable)
    audit.record(session, actor.with_reason(data.reason), action="premises.create",
                 object_type="premises", object_id=premises.id,
                 after=audit.snapshot(premises, PREMISES_FIELDS))
    return premises


def update_premises(session: Session, seams: Seams, actor: Actor, premises_id: int,
                    data: PremisesUpdate
                    ) -> tuple[Premises, list[AccountRecalc]]:
    """Change a premises; an area change recalculates its accounts (returned)."""
    premises = get_premises(session, premises_id)
    changes = changes_of(data)
    if "number" in changes and changes["number"] is not None:
        _number_free(session, premises.house_id, changes["number"], premises_id)
    _premises_shape(session, premises.house_id, changes.get("kind") or premises.kind,
                    changes.get("parent_id", premises.parent_id))
    before = audit.snapshot(premises, PREMISES_FIELDS)
    apply(premises, changes, required=("number", "kind", "area_micro", "rooms"))
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="premises.update",
                 object_type="premises", object_id=premises.id, before=before,
                 after=audit.snapshot(premises, PREMISES_FIELDS))
    recalc: list[AccountRecalc] = []
    if "area_micro" in changes and changes["area_micro"] != before["area_micro"]:
        accounts = RegistryRepository(session).accounts_of_premises(premises_id)
        recalc = seams.recalculate(session, accounts,
                                   seams.recalculation.current_period(session))
    return premises, recalc


def _premises_shape(session: Session, house_id: int, kind: str, parent_id: int | None) -> None:
    if parent_id is None:
        return
    if kind != "room":
        raise Invalid("parent_only_for_rooms", "родительское помещение указывается только "
                      "для комнаты (kind = room)", field="parent_id")
    parent = session.get(Premises, parent_id)
    if parent is None or parent.house_id != house_id:
        raise Invalid("premises_not_found", f"помещение {parent_id} не найдено в доме {house_id}",
                      field="parent_id")


def _number_free(session: Session, house_id: int, number: str, own_id: int | None) -> None:
    other = session.scalar(select(Premises.id).where(Premises.house_id == house_id,
                                                     Premises.number == number))
    if other is not None and other != own_id:
        raise Conflict("premises_exists", f"в доме {house_id} уже есть помещение № {number}",
                       field="number", obj=f"premises:{other}")


def _exists(session: Session, model: type, key: int, code: str, field: str, what: str) -> None:
    if session.get(model, key) is None:
        raise Invalid(code, f"{what} {key} не найден(о)", field=field)


# accounts

def get_account(session: Session, number: str) -> Account:
    """The account by number or ``NotFound`` (``account_not_found``)."""
    account = RegistryRepository(session).account_by_number(number)
    if account is None:
        raise NotFound("account_not_found", f"лицевой счёт {number} не найден",
                       obj=f"account:{number}")
    return account


NUMBER_WIDTH = 10
"""Digits of a generated account number (nine of the serial and the check digit)."""
NUMBER_ATTEMPTS = 20
"""Tries to take a generated number another transaction took first (PostgreSQL)."""


def next_account_number(session: Session) -> str:
    """The number after the greatest ``NUMBER_WIDTH``-digit number in use: its serial + 1 and
    the Luhn check digit (``0000000019`` for the first). Numbers of another width (entered
    by hand) do not count; a number taken meanwhile is the caller's to retry."""
    top = session.scalar(select(func.max(Account.number))
                         .where(func.length(Account.number) == NUMBER_WIDTH))
    serial = int(top[:-1]) + 1 if top else 1
    try:
        return make_account_number(serial, NUMBER_WIDTH)
    except AccountNumberError:
        raise Conflict("account_numbers_exhausted",
                       f"все {NUMBER_WIDTH}-значные номера лицевых счетов заняты; укажите "
                       "номер вручную", field="number") from None


def _add_numbered_account(session: Session, data: AccountCreate) -> Account:
    """Insert the account under the next free number. Two transactions may pick the same
    number at once (PostgreSQL; SQLite's writers take turns): the loser's insert fails on
    the unique index inside a savepoint and it takes the next number, the rest of its
    transaction untouched."""
    repo = RegistryRepository(session)
    for _ in range(NUMBER_ATTEMPTS):
        number = next_account_number(session)
        try:
            with session.begin_nested():
                return repo.add_account(number=number, premises_id=data.premises_id,
                                        opened_on=data.opened_on, closed_on=data.closed_on)
        except IntegrityError:
            if repo.account_by_number(number) is None:
                raise  # not the number: another constraint refused the row
    raise Conflict("account_number_busy", "не удалось выбрать номер лицевого счёта: "
                   "повторите запрос", field="number")


def create_account(session: Session, actor: Actor, data: AccountCreate) -> Account:
    """A new account with its services; a number already used is ``account_exists`` (409);
    without a number the next free one is generated (:func:`next_account_number`)."""
    _exists(session, Premises, data.premises_id, "premises_not_found", "premises_id",
            "помещение")
    repo = RegistryRepository(session)
    if data.number is None:
        account = _add_numbered_account(session, data)
    else:
        if repo.account_by_number(data.number) is not None:
            raise Conflict("account_exists", f"лицевой счёт {data.number} уже существует",
                           field="number", obj=f"account:{data.number}")
        account = repo.add_account(number=data.number, premises_id=data.premises_id,
                                   opened_on=data.opened_on, closed_on=data.closed_on)
    actor = actor.with_reason(data.reason)
    audit.record(session, actor, action="account.create", object_type="account",
                 object_id=account.number, after=audit.snapshot(account, ACCOUNT_FIELDS))
    for i, item in enumerate(data.services):
        _add_service(session, actor, account, item, field=f"services.{i}.provider")
    return account


def update_account(session: Session, actor: Actor, number: str, data: AccountUpdate) -> Account:
    """Change the opening or closing date (``closed_on: null`` re-opens)."""
    account = get_account(session, number)
    changes = changes_of(data)
    opened = changes.get("opened_on") or account.opened_on
    closed = changes.get("closed_on", account.closed_on)
    if closed is not None and closed < opened:
        raise Invalid("dates_out_of_order", "дата закрытия раньше даты открытия",
                      field="closed_on")
    before = audit.snapshot(account, ACCOUNT_FIELDS)
    apply(account, changes, required=("opened_on",))
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="account.update",
                 object_type="account", object_id=account.number, before=before,
                 after=audit.snapshot(account, ACCOUNT_FIELDS))
    return account


def add_account_service(session: Session, actor: Actor, number: str, data: AccountServiceIn
                        ) -> AccountService:
    """A service of the account bought from a provider (by provider code)."""
    account = get_account(session, number)
    return _add_service(session, actor, account, data, field="provider")


def _add_service(session: Session, actor: Actor, account: Account, item: AccountServiceIn, *,
                 field: str) -> AccountService:
    provider = RegistryRepository(session).provider_by_code(item.provider)
    if provider is None:
        raise Invalid("provider_not_found", f"поставщик {item.provider} не найден", field=field)
    svc = RegistryRepository(session).add_account_service(
        account_id=account.id, service=item.service, provider_id=provider.id,
        date_from=item.date_from, date_to=item.date_to)
    audit.record(session, actor, action="account_service.create", object_type="account_service",
                 object_id=svc.id, after=audit.snapshot(svc, SERVICE_FIELDS))
    return svc


def account_view(session: Session, account: Account) -> AccountOut:
    """The read model of an account with its address."""
    return AccountOut.of(account, get_premises(session, account.premises_id))
