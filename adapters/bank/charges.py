"""The charges registry for banks (реестр начислений, REFERENCE §7, S23): what each account
owes each provider, so the bank can take payments. File name ``ИНН_РС_НОМЕР_ММГГ.txt``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from zhkh.kernel.period import Period
from zhkh.modules.errors import Invalid
from zhkh.modules.finance.requisites import (
    validate_bik,
    validate_inn,
    validate_settlement_account,
)

from .errors import RegistryError
from .profiles import Profile
from .text import render_text
from .values import format_amount, format_period


class ChargeRow(NamedTuple):
    """One line: account × provider, the amount due (kopecks, ≥ 0) for ``period``. A
    NamedTuple, like RegistryLine, so a million rows are cheap to make."""

    account: str
    payer: str
    address: str
    period: Period
    amount: int
    provider: str = ""


def charges_file_name(profile: Profile, *, inn: str, account: str, sequence: int,
                      month: Period) -> str:
    """``ИНН_РС_НОМЕР_ММГГ.txt`` from the profile's template: the payee's 10-digit ИНН, its
    20-digit settlement account, the file's number in the month (1–999) and the month in
    which payments are taken."""
    inn = validate_inn(inn, field="inn", kind="legal")
    if not (account.isascii() and account.isdigit() and len(account) == 20):
        raise Invalid("account_length", f"расчётный счёт «{account}»: нужно 20 цифр",
                      field="account")
    if not 1 <= sequence <= 999:
        raise Invalid("sequence_range", f"номер файла {sequence}: от 1 до 999",
                      field="sequence")
    assert profile.file_name is not None
    return profile.file_name.format(inn=inn, account=account, sequence=sequence,
                                    mmyy=format_period(month, "MMYY"))


def render_charges(rows: Iterable[ChargeRow], profile: Profile, *, inn: str, account: str,
                   sequence: int, month: Period, bik: str | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of the charges registry: one line per row in the profile's layout
    and encoding, and the control line when the profile has one. With ``bik`` the settlement
    account's control key is checked too. A negative amount, or a value holding the separator
    or a letter the encoding lacks, raises :class:`RegistryError` naming the row and field.
    """
    if profile.purpose != "charges":
        raise ValueError(f"profile {profile.name} is not a charges registry layout")
    if bik is not None:
        validate_settlement_account(account, validate_bik(bik), field="account")
    name = charges_file_name(profile, inn=inn, account=account, sequence=sequence, month=month)
    rows = list(rows)
    written = [_row(number, row, profile) for number, row in enumerate(rows, 1)]
    footer = None
    if profile.footer is not None:
        footer = {"line_count": str(len(rows)),
                  "amount_total": format_amount(sum(r.amount for r in rows),
                                                profile.decimal_separator)}
    return name, render_text(written, profile, footer)


def _row(number: int, row: ChargeRow, profile: Profile) -> dict[str, object]:
    if row.amount < 0:
        raise RegistryError("registry_amount_negative", "сумма к оплате отрицательна — "
                            "переплату в реестр начислений не пишут", line=number,
                            field="amount")
    return {"account": row.account, "payer": row.payer, "address": row.address,
            "period": format_period(row.period, profile.period_format),
            "amount": format_amount(row.amount, profile.decimal_separator),
            "provider": row.provider}
