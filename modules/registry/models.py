"""Registry tables: management companies, providers, houses, premises, accounts, services.

Areas are ``BigInteger`` fixed point 1e-6 m² (``*_micro``), never float.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from zhkh.modules.db.base import Base, IdPK, one_of
from zhkh.modules.registry.account_number import validate_account_number

HEATING_PAYMENTS = ("season", "evenly")
PREMISES_KINDS = ("flat", "room", "nonresidential")


class ManagementCompany(Base):
    """Управляющая организация."""

    __tablename__ = "management_companies"

    id: Mapped[IdPK]
    name: Mapped[str] = mapped_column(String(300))
    inn: Mapped[str] = mapped_column(String(12), unique=True)
    kpp: Mapped[str | None] = mapped_column(String(9))
    ogrn: Mapped[str | None] = mapped_column(String(15))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(254))
    closed_on: Mapped[date | None]
    """The day the company stopped managing houses (ended, never deleted)."""


class Provider(Base):
    """Поставщик / РСО: who a service is bought from and paid to."""

    __tablename__ = "providers"

    id: Mapped[IdPK]
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    inn: Mapped[str] = mapped_column(String(12))
    kpp: Mapped[str | None] = mapped_column(String(9))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    closed_on: Mapped[date | None]
    """The day the provider stopped supplying (ended, never deleted)."""


class House(Base):
    """A house with the attributes the rules read (house type, heat meter, heating payment)."""

    __tablename__ = "houses"
    __table_args__ = (
        one_of("heating_payment", HEATING_PAYMENTS),
        CheckConstraint("total_area_micro >= 0", name="total_area_nonnegative"),
        CheckConstraint("common_area_micro >= 0", name="common_area_nonnegative"),
    )

    id: Mapped[IdPK]
    management_company_id: Mapped[int | None] = mapped_column(
        ForeignKey("management_companies.id"), index=True)
    address: Mapped[str] = mapped_column(String(500))
    fias_guid: Mapped[str | None] = mapped_column(String(36), unique=True)
    house_type: Mapped[str] = mapped_column(String(32), default="apartment_building")
    """Free code the rules match on (``apartment_building`` for a МКД …): rule data."""
    house_heat_meter: Mapped[bool] = mapped_column(default=False)
    heating_payment: Mapped[str] = mapped_column(String(16), default="evenly")
    total_area_micro: Mapped[int] = mapped_column(default=0)
    common_area_micro: Mapped[int] = mapped_column(default=0)

    premises: Mapped[list[Premises]] = relationship(back_populates="house")


class HouseCommonDecision(Base):
    """A decision of the house's general meeting on the common-property (СОИ) volume, dated:
    in force from ``date_from`` until the next one. ``cap_lifted``: the whole volume for common
    needs is distributed, over the norm (ПП РФ №354, п. 44); False restores the cap. The rules
    read it (``cap: decision``)."""

    __tablename__ = "house_common_decisions"
    __table_args__ = (UniqueConstraint("house_id", "date_from"),)

    id: Mapped[IdPK]
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"), index=True)
    date_from: Mapped[date]
    cap_lifted: Mapped[bool]
    document: Mapped[str] = mapped_column(String(300))
    """The minutes of the meeting (number and date)."""


class Premises(Base):
    """A flat, a room of a communal flat (``parent_id`` = the flat) or a non-residential unit."""

    __tablename__ = "premises"
    __table_args__ = (
        UniqueConstraint("house_id", "number"),
        one_of("kind", PREMISES_KINDS),
        CheckConstraint("area_micro >= 0", name="area_nonnegative"),
        CheckConstraint("rooms >= 0", name="rooms_nonnegative"),
        CheckConstraint("kind = 'room' OR parent_id IS NULL", name="only_rooms_have_parent"),
    )

    id: Mapped[IdPK]
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"))
    number: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="flat")
    area_micro: Mapped[int] = mapped_column(default=0)
    rooms: Mapped[int] = mapped_column(default=1)
    amenities: Mapped[str | None] = mapped_column(String(64))
    """Благоустройство code the rules read (e.g. ``full``, ``no_hot_water``)."""
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id"), index=True)

    house: Mapped[House] = relationship(back_populates="premises")
    installability: Mapped[list[MeterInstallability]] = relationship(
        cascade="all, delete-orphan")


class MeterInstallability(Base):
    """Whether a meter of a service can be installed in a premises (ПП 354 п. 42 coefficient)."""

    __tablename__ = "premises_meter_installable"

    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    installable: Mapped[bool]


class Account(Base):
    """Лицевой счёт; the number carries a Luhn check digit (see ``account_number``)."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_open"),
        CheckConstraint("length(number) BETWEEN 6 AND 20", name="number_length"),
    )

    id: Mapped[IdPK]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), index=True)
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]

    services: Mapped[list[AccountService]] = relationship(back_populates="account")

    @validates("number")
    def _check_number(self, _key: str, number: str) -> str:
        return validate_account_number(number)


class AccountService(Base):
    """A service of an account, bought from a provider, from a date to a date (inclusive)."""

    __tablename__ = "account_services"
    __table_args__ = (
        CheckConstraint("date_to IS NULL OR date_to >= date_from", name="dates_ordered"),
        Index("ix_account_services_account_service", "account_id", "service"),
    )

    id: Mapped[IdPK]
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    service: Mapped[str] = mapped_column(String(64))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    date_from: Mapped[date]
    date_to: Mapped[date | None]

    account: Mapped[Account] = relationship(back_populates="services")
