"""The snapshot of an issued payment document (ЕПД, Приказ Минстроя №43/пр): what it shows.

A snapshot is self-contained: rendering it needs nothing else, so a reprint is the same
document forever (``canonical.py`` gives its canonical JSON and content hash). The model
checks the document's arithmetic when it is built, so a snapshot that would print figures
that do not add up is refused with a Russian message naming the line:

- a charge line: ``total = charged_individual + charged_common + recalculation − benefits
  − quality_reduction``; the ×1.5 ``excess`` is part of ``charged_individual``, shown apart;
- a recipient: ``charged`` is the sum of its lines (and capital repair), ``penalties`` the sum
  of its «неустойки», and ``to_pay = max(0, opening_balance + charged − paid + penalties)``;
  ``opening_balance`` is positive for a debt, negative for an advance;
- the document: ``total_to_pay`` is the sum of the recipients' ``to_pay``.

Sections follow REFERENCE §5: payer and premises (section 1), recipients with bank details
and totals (section 2), the charges table (section 3), reference information (section 4),
recalculations (section 5) and penalties apart.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhkh.modules.documents.types import DecimalText, Kopecks, OptionalText, PeriodText, Text
from zhkh.modules.errors import Invalid
from zhkh.modules.finance.requisites import (
    validate_bik,
    validate_correspondent_account,
    validate_inn,
    validate_kpp,
    validate_settlement_account,
)

DocumentKind = Literal["monthly", "corrected", "debt_notice"]
"""``monthly`` ЕПД; ``corrected`` — reissued after a recalculation of an issued month;
``debt_notice`` — уведомление о задолженности (debts by period and penalties)."""


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Payer(_Part):
    """Section 1: who pays."""

    name: Text = Field(description="ФИО или наименование плательщика")


class Premises(_Part):
    """Section 1: the premises the account is for."""

    address: Text
    total_area: DecimalText = Field(description="Общая площадь, м²")
    living_area: DecimalText | None = Field(default=None, description="Жилая площадь, м²")
    heated_area: DecimalText | None = Field(default=None, description="Отапливаемая площадь, м²")
    residents: int = Field(ge=0, description="Количество проживающих (зарегистрированных)")


class Executor(_Part):
    """Section 1: the executor of services (management company) and its contacts."""

    name: Text
    address: Text
    phone: OptionalText = ""
    email: OptionalText = ""
    website: OptionalText = ""
    hours: OptionalText = Field(default="", description="Часы приёма")


class Recipient(_Part):
    """Section 2: one payee, its bank details and the money of the account owed to it."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$",
                    description="Ключ получателя в документе: строки ссылаются на него")
    name: Text
    inn: str
    kpp: str | None = None
    bank_name: Text
    bik: str
    settlement_account: str
    correspondent_account: str
    charged: Kopecks = Field(description="Начислено за расчётный период")
    opening_balance: Kopecks = Field(description="Долг (+) или аванс (−) на начало периода")
    paid: Kopecks = Field(ge=0, description="Оплачено (учтены платежи до paid_until)")
    paid_until: date = Field(description="Учтены платежи, поступившие до этой даты")
    last_payment_date: date | None = None
    penalties: Kopecks = Field(ge=0, description="Неустойки (пени) к оплате")
    to_pay: Kopecks = Field(ge=0, description="Итого к оплате этому получателю")

    @model_validator(mode="after")
    def _requisites_and_sum(self) -> Recipient:
        problem = _requisites_problem(self.inn, self.kpp, self.bik, self.settlement_account,
                                      self.correspondent_account)
        if problem:  # a domain error → a validation error naming the recipient
            raise ValueError(f"получатель {self.id}: {problem}")
        expected = max(0, self.opening_balance + self.charged - self.paid + self.penalties)
        if self.to_pay != expected:
            raise ValueError(
                f"получатель {self.id}: к оплате {_rub(self.to_pay)}, а долг/аванс "
                f"{_rub(self.opening_balance)} + начислено {_rub(self.charged)} − оплачено "
                f"{_rub(self.paid)} + пени {_rub(self.penalties)} дают {_rub(expected)}")
        return self


@lru_cache(maxsize=4096)
def _requisites_problem(inn: str, kpp: str | None, bik: str, settlement: str,
                        correspondent: str) -> str:
    """What is wrong with a payee's requisites ("" when nothing); a pure function of them,
    cached: a run of documents names the same few payees thousands of times."""
    try:
        validate_inn(inn, kind="legal" if kpp else "any")
        if kpp is not None:
            validate_kpp(kpp)
        validate_bik(bik)
        validate_settlement_account(settlement, bik)
        validate_correspondent_account(correspondent, bik)
    except Invalid as error:
        return error.message
    return ""


class ChargeLine(_Part):
    """Section 3: one service of the charges table."""

    recipient: str
    service: Text = Field(description="Вид услуги, как напечатан")
    unit: OptionalText = Field(description="Единица измерения («м³», «кВт·ч», «м²», «Гкал»)")
    method_individual: OptionalText = Field(
        default="", description="Способ определения объёма в помещении («ИПУ», «норматив» …)")
    method_common: OptionalText = Field(default="", description="… на содержание общего имущества")
    volume_individual: DecimalText | None = None
    volume_common: DecimalText | None = None
    tariff: DecimalText | None = Field(default=None, description="Тариф (ставка), руб. за ед.")
    charged_individual: Kopecks = 0
    charged_common: Kopecks = 0
    coefficient: DecimalText | None = Field(default=None, description="Повышающий коэффициент")
    excess: Kopecks = Field(default=0, ge=0,
                            description="Превышение из-за коэффициента (входит в начисленное)")
    recalculation: Kopecks = Field(default=0, description="Перерасчёт: + доначисление, − снятие")
    benefits: Kopecks = Field(default=0, ge=0, description="Льготы, субсидии (вычитаются)")
    quality_reduction: Kopecks = Field(default=0, ge=0,
                                       description="Снижение за некачественную услугу")
    total: Kopecks = Field(description="Итого к оплате за расчётный период")

    @model_validator(mode="after")
    def _adds_up(self) -> ChargeLine:
        expected = (self.charged_individual + self.charged_common + self.recalculation
                    - self.benefits - self.quality_reduction)
        if self.total != expected:
            raise ValueError(f"строка «{self.service}»: итого {_rub(self.total)}, а начислено − "
                             f"льготы − снижение + перерасчёт дают {_rub(expected)}")
        if self.excess > max(self.charged_individual, 0):
            raise ValueError(f"строка «{self.service}»: превышение из-за коэффициента "
                             f"{_rub(self.excess)} больше начисленного в помещении")
        return self


class CapitalRepair(_Part):
    """Section 2: the capital repair contribution (взнос на капитальный ремонт)."""

    recipient: str
    rate: DecimalText = Field(description="Взнос, руб. за м²")
    area: DecimalText
    charged: Kopecks
    recalculation: Kopecks = 0
    benefits: Kopecks = Field(default=0, ge=0)
    total: Kopecks

    @model_validator(mode="after")
    def _adds_up(self) -> CapitalRepair:
        if self.total != self.charged + self.recalculation - self.benefits:
            raise ValueError(f"капремонт: к оплате {_rub(self.total)}, а начислено + перерасчёт "
                             f"− льготы дают "
                             f"{_rub(self.charged + self.recalculation - self.benefits)}")
        return self


class MeterReading(_Part):
    """Section 4: an individual meter's readings used in the period."""

    service: Text
    meter: Text = Field(description="Номер прибора учёта")
    zone: OptionalText = Field(default="", description="Зона суток («день», «ночь»)")
    previous: DecimalText
    current: DecimalText
    volume: DecimalText
    verified_until: date | None = Field(default=None, description="Дата очередной поверки")


class Recalculation(_Part):
    """Section 5: a recalculation (доначисление +, уменьшение −) with its reason."""

    service: Text
    period_for: PeriodText = Field(description="Месяц, за который перерасчёт")
    reason: Text
    amount: Kopecks


class Penalty(_Part):
    """«Неустойки (штрафы, пени) и судебные расходы», apart from the charges."""

    recipient: str
    kind: Text = Field(default="Пени", description="Вид: пени, штраф, судебные расходы")
    basis: Text = Field(description="Основание («ч. 14 ст. 155 ЖК РФ»)")
    period_for: PeriodText | None = Field(default=None, description="Период долга")
    amount: Kopecks = Field(ge=0)


class DebtPeriod(_Part):
    """A debt notice line: one unpaid period."""

    period: PeriodText
    charged: Kopecks
    paid: Kopecks = Field(ge=0)
    debt: Kopecks = Field(ge=0)
    penalties: Kopecks = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _adds_up(self) -> DebtPeriod:
        if self.debt != self.charged - self.paid:
            raise ValueError(f"долг за {self.period}: {_rub(self.debt)}, а начислено − оплачено "
                             f"дают {_rub(self.charged - self.paid)}")
        return self


class Norm(_Part):
    """Section 4: a consumption norm in force."""

    service: Text
    unit: OptionalText
    individual: DecimalText | None = None
    common: DecimalText | None = None


class HouseVolume(_Part):
    """Section 4: the house's volume of a resource where the house has a meter (ОДПУ)."""

    service: Text
    unit: OptionalText
    house_meter: DecimalText | None = Field(default=None, description="По ОДПУ за период")
    individual: DecimalText | None = Field(default=None, description="Всего в помещениях")
    common: DecimalText | None = Field(default=None, description="На общедомовые нужды")


class ReferenceInfo(_Part):
    """Section 4: reference information."""

    norms: tuple[Norm, ...] = ()
    house_volumes: tuple[HouseVolume, ...] = ()
    notes: tuple[Text, ...] = ()


class Correction(_Part):
    """What a corrected document replaces and why."""

    replaces: Text = Field(description="Номер исправляемого документа")
    replaces_issue_date: date
    reason: Text


class PaymentDocument(_Part):
    """One issued payment document: everything its pages show, in kopecks and strings."""

    schema_version: Literal[1] = 1
    kind: DocumentKind
    number: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-zА-ЯЁ\-/]+$")
    account: str = Field(pattern=r"^\d{6,20}$", description="Номер лицевого счёта (ЕЛС)")
    period: PeriodText
    issue_date: date
    due_date: date = Field(description="Оплатить до (включительно)")
    payer: Payer
    premises: Premises
    executor: Executor
    recipients: tuple[Recipient, ...] = Field(min_length=1)
    charges: tuple[ChargeLine, ...] = ()
    capital_repair: CapitalRepair | None = None
    meters: tuple[MeterReading, ...] = ()
    recalculations: tuple[Recalculation, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    debts: tuple[DebtPeriod, ...] = ()
    reference: ReferenceInfo = ReferenceInfo()
    correction: Correction | None = None
    total_to_pay: Kopecks = Field(ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> PaymentDocument:
        _check_kind(self)
        ids = [r.id for r in self.recipients]
        if len(set(ids)) != len(ids):
            raise ValueError(f"получатели повторяются: {ids}")
        known = set(ids)
        for item in (*self.charges, *self.penalties,
                     *((self.capital_repair,) if self.capital_repair else ())):
            if item.recipient not in known:
                raise ValueError(f"строка ссылается на неизвестного получателя «{item.recipient}»")
        lines: dict[str, int] = dict.fromkeys(known, 0)
        for c in self.charges:
            lines[c.recipient] += c.total
        if self.capital_repair is not None:
            lines[self.capital_repair.recipient] += self.capital_repair.total
        fines: dict[str, int] = dict.fromkeys(known, 0)
        for p in self.penalties:
            fines[p.recipient] += p.amount
        for recipient in self.recipients:
            _check_recipient(self, recipient, lines[recipient.id], fines[recipient.id])
        total = sum(r.to_pay for r in self.recipients)
        if self.total_to_pay != total:
            raise ValueError(f"итого к оплате {_rub(self.total_to_pay)}, а сумма по получателям "
                             f"{_rub(total)}")
        return self


def _check_kind(doc: PaymentDocument) -> None:
    if doc.kind == "corrected" and doc.correction is None:
        raise ValueError("исправленный документ должен указывать, что он исправляет (correction)")
    if doc.kind != "corrected" and doc.correction is not None:
        raise ValueError("сведения об исправлении бывают только у исправленного документа")
    if doc.kind == "debt_notice" and not doc.debts:
        raise ValueError("в уведомлении о задолженности нет ни одного периода долга (debts)")
    # a bill printed after its due date (a late run, a duplicate) keeps the legal due date —
    # penalties run from it; a notice's term is counted from its own date
    if doc.kind == "debt_notice" and doc.due_date < doc.issue_date:
        raise ValueError(f"срок оплаты {doc.due_date} раньше даты документа {doc.issue_date}")


def _check_recipient(doc: PaymentDocument, recipient: Recipient, lines: int,
                     penalties: int) -> None:
    # a debt notice shows debts by period; the charges of its own period are not its subject
    if doc.kind != "debt_notice" and recipient.charged != lines:
        raise ValueError(f"получатель {recipient.id}: начислено {_rub(recipient.charged)}, а его "
                         f"строки дают {_rub(lines)}")
    if recipient.penalties != penalties:
        raise ValueError(f"получатель {recipient.id}: пени {_rub(recipient.penalties)}, а строки "
                         f"неустоек дают {_rub(penalties)}")


def _rub(kopecks: int) -> str:
    sign = "−" if kopecks < 0 else ""
    rub, kop = divmod(abs(kopecks), 100)
    return f"{sign}{rub},{kop:02d} ₽"
