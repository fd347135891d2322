"""Request and response shapes of the cash desk.

Money travels as decimal strings in rubles with two decimals (a JSON float is refused), as in
finance; a reading's value as a decimal string, as in meters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhkh.kernel.calc.balance import Money
from zhkh.modules.finance.schemas import AccountNumber, BalanceOut, MoneyText, PaymentOut
from zhkh.modules.meters.schemas import Zone
from zhkh.modules.schemas import DecimalText

Method = Literal["cash", "card"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ShiftOpen(_In):
    """Open a shift at a desk with the float in the drawer."""

    desk: str = Field(min_length=1, max_length=100, examples=["Касса 1, ул. Ленина, 1"],
                      description="Касса (место приёма платежей)")
    opening_float: Money = Field(default=Decimal("0.00"), examples=["2000.00"],
                                 description="Размен в кассе на начало смены, руб.")

    @model_validator(mode="after")
    def _float_not_negative(self) -> ShiftOpen:
        if self.opening_float < 0:
            raise ValueError("размен не может быть отрицательным")
        return self


class ShiftClose(_In):
    """Close a shift: the cash counted in the drawer."""

    counted_cash: Money = Field(examples=["5230.00"],
                                description="Пересчитанные наличные в кассе, руб.")

    @model_validator(mode="after")
    def _counted_not_negative(self) -> ShiftClose:
        if self.counted_cash < 0:
            raise ValueError("сумма наличных не может быть отрицательной")
        return self


class ReadingAtDesk(_In):
    """A meter reading the payer dictates at the desk (taken today)."""

    meter_id: int = Field(ge=1, le=2**63 - 1, description="Прибор учёта помещения счёта")
    value: DecimalText
    zone: Zone = "single"


class CashPaymentIn(_In):
    """A payment taken at the desk: cash (with the sum tendered) or card, and the readings
    entered at the same time (all written together, or nothing)."""

    account: AccountNumber
    method: Method
    amount: Money = Field(examples=["1500.00"], description="Сумма оплаты, руб.; больше нуля")
    tendered: Money | None = Field(default=None, examples=["2000.00"],
                                   description="Получено наличными, руб. (не меньше суммы); "
                                               "по умолчанию — без сдачи")
    period: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                               description="Оплачиваемый период (ГГГГ-ММ): первым")
    readings: list[ReadingAtDesk] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _money_adds_up(self) -> CashPaymentIn:
        if self.amount <= 0:
            raise ValueError("сумма оплаты должна быть больше нуля")
        if self.method == "card" and self.tendered is not None:
            raise ValueError("при оплате картой сумма «получено» не указывается")
        if self.tendered is not None and self.tendered < self.amount:
            raise ValueError(f"получено {self.tendered} руб. — меньше суммы оплаты "
                             f"{self.amount} руб.")
        return self


class RefundIn(_In):
    """The storno of a payment taken at a desk, handed back from this shift."""

    reason: str = Field(min_length=1, max_length=2000, description="Причина сторно")


class ProviderOwed(_Out):
    """What an account owes one provider: billed months, and the open month not billed yet."""

    provider_id: int
    provider: str
    debt: MoneyText
    unbilled: MoneyText
    total: MoneyText


class OwedOut(_Out):
    """What an account owes, per provider, with its address for the cashier to confirm with
    the payer; the sums are finance's balance."""

    account: str
    address: str
    providers: list[ProviderOwed]
    advance: MoneyText
    penalties: MoneyText
    total: MoneyText = Field(description="К оплате: долг, пени и текущий месяц за вычетом "
                                         "аванса")


class MeterAtDesk(_Out):
    """A meter of the account's premises working today: what the cashier asks readings of."""

    id: int
    service: str
    serial: str
    zones: list[str]


class ReadingTaken(_Out):
    meter_id: int
    zone: str
    value: str
    status: Literal["accepted", "held_for_review", "already_accepted"]
    id: int


class ReceiptOut(_Out):
    """A receipt of the shift: the payment (or its storno) with the method and the change."""

    id: int
    shift_id: int
    kind: Literal["payment", "refund"]
    method: Method
    amount: MoneyText
    tendered: MoneyText | None
    change: MoneyText | None
    created_at: str
    payment: PaymentOut
    readings: list[ReadingTaken] = Field(default_factory=list)
    balance: BalanceOut | None = None


class MethodTotals(_Out):
    """Money of one method in a shift: taken, handed back, net."""

    method: Method
    payments: int
    taken: MoneyText
    refunds: int
    refunded: MoneyText
    net: MoneyText


class ShiftOut(_Out):
    """A shift with its totals; at the close, the cash expected and counted."""

    id: int
    cashier: str
    desk: str
    opened_at: str
    opening_float: MoneyText
    status: Literal["open", "closed"]
    closed_at: str | None
    closed_by: str | None
    totals: list[MethodTotals]
    expected_cash: MoneyText = Field(description="Ожидается в кассе: размен + наличные")
    counted_cash: MoneyText | None
    difference: MoneyText | None = Field(description="Пересчитано − ожидается: излишек (+) "
                                                     "или недостача (−)")
    receipts: list[ReceiptOut] = Field(default_factory=list)
