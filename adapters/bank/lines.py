"""One record's values → a checked :class:`RegistryLine` or :class:`Footer`.

Shared by the text and the DBF readers. A record arrives as text values in the order of
:data:`ORDER` (``""`` for a field the layout lacks). Every refusal names the line and the
field. This is the hot path of a million-line registry, hence the shape: positional values,
caches of parsed dates, times and periods (a registry has few distinct ones), and a fast path
for the usual ``1234,56`` amount that falls back to the full reader for anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time
from typing import Any, Literal, overload

from zhkh.kernel.period import Period

from .errors import RegistryError
from .model import Footer, Reading, RegistryLine
from .profiles import Profile
from .values import (
    ValueProblem,
    parse_amount,
    parse_date,
    parse_period,
    parse_reading,
    parse_time,
)

ORDER = ("date", "time", "account", "amount", "commission", "amount_to_transfer", "period",
         "operation_id", "payer", "address", "branch", "cashier", "document_number", "channel")
"""The order of the values handed to :meth:`LineBuilder.line`."""
_MONEY_CACHE = 100_000  # distinct amounts remembered; commissions and tariffs repeat


class LineBuilder:
    """Checks and converts the values of one profile's records."""

    def __init__(self, profile: Profile, *, today: date, file_name: str | None,
                 decimal_separator: str) -> None:
        self.profile = profile
        self.today = today
        self.file_name = file_name
        self.separator = decimal_separator
        self._dates: dict[str, date] = {}  # only dates already checked against today
        self._times: dict[str, time | None] = {"": None}
        self._periods: dict[str, Period | None] = {"": None}
        self._money: dict[str, int] = {}

    def fail(self, code: str, problem: str, line: int | None,
             field: str | None) -> RegistryError:
        """The refusal of this file at ``line``/``field``."""
        return RegistryError(code, problem, line=line, field=field, file_name=self.file_name)

    def line(self, number: int, raw: str, values: Sequence[str],
             readings: tuple[Reading, ...] = ()) -> RegistryLine:
        """A payment line from ``values`` in :data:`ORDER`; refuses a missing account, an
        amount that is not positive, a negative commission or transfer, a date in the future,
        and any value that does not read."""
        (date_text, time_text, account, amount_text, commission_text, transfer_text,
         period_text, operation_id, payer, address, branch, cashier, document_number,
         channel) = values
        day = self._dates.get(date_text) or self.date(date_text, number, "date", required=True)
        try:
            at = self._times[time_text]
        except KeyError:
            at = self._time(time_text, number)
        try:
            period = self._periods[period_text]
        except KeyError:
            period = self._period(period_text, number)
        account = account.strip()
        if not account:
            raise self.fail("registry_account_empty", "лицевой счёт не указан", number,
                            "account")
        amount = self.money(amount_text, number, "amount")
        if amount is None or amount <= 0:
            what = "не указана" if amount is None else (
                "нулевая" if amount == 0 else "отрицательная")
            raise self.fail("registry_amount_not_positive", f"сумма платежа {what} — "
                            f"{amount_text.strip() or '(пусто)'}", number, "amount")
        commission = self.money(commission_text, number, "commission") or 0
        transfer = self.money(transfer_text, number, "amount_to_transfer")
        if commission < 0 or (transfer is not None and transfer < 0):
            field = "commission" if commission < 0 else "amount_to_transfer"
            raise self.fail("registry_amount_negative", "отрицательное значение — "
                            f"{(commission_text if commission < 0 else transfer_text).strip()}",
                            number, field)
        return RegistryLine(day, account, amount, commission, transfer, at,
                            operation_id.strip() or None, payer.strip() or None,
                            address.strip() or None, period, branch.strip() or None,
                            cashier.strip() or None, document_number.strip() or None,
                            channel.strip() or None, readings, number, raw)

    def footer(self, number: int, raw: str, values: dict[str, str]) -> Footer:
        """The control line's totals as written; refuses totals that do not read."""
        count = values.get("line_count", "").strip() or None
        if count is not None and not (count.isascii() and count.isdigit() and len(count) < 13):
            raise self.fail("registry_footer_format", f"«{count}» — не число строк", number,
                            "line_count")
        sums: dict[str, int | None] = {}
        for name in ("amount_total", "transfer_total", "commission_total"):
            sums[name] = total = self.money(values.get(name, ""), number, name)
            if total is not None and total < 0:
                raise self.fail("registry_footer_format", "отрицательная сумма — "
                                f"{values[name].strip()}", number, name)
        return Footer(line_number=number, line_count=None if count is None else int(count),
                      amount=sums["amount_total"], amount_to_transfer=sums["transfer_total"],
                      commission=sums["commission_total"],
                      order_number=values.get("order_number", "").strip() or None,
                      order_date=self.date(values.get("order_date", ""), number, "order_date"),
                      raw=raw)

    def money(self, text: str, number: int, field: str) -> int | None:
        """Kopecks of a money value, None when empty."""
        known = self._money.get(text)
        if known is not None:
            return known
        if text[-3:-2] == self.separator:  # the usual 1234,56
            digits = text[:-3] + text[-2:]
            if digits.isdigit() and digits.isascii() and len(digits) < 18:
                value = int(digits)
                if len(self._money) < _MONEY_CACHE:
                    self._money[text] = value
                return value
        text = text.strip()
        if not text:
            return None
        try:
            return parse_amount(text, self.separator)
        except ValueProblem as problem:
            raise self.fail(f"registry_{problem.code}", problem.message, number,
                            field) from None

    @overload
    def date(self, text: str, number: int, field: str, *, required: Literal[True]) -> date: ...
    @overload
    def date(self, text: str, number: int, field: str, *,
             required: bool = False) -> date | None: ...
    def date(self, text: str, number: int, field: str, *,
             required: bool = False) -> date | None:
        """A date not later than ``today``; None when empty and not required."""
        key, text = text, text.strip()
        if not text:
            if required:
                raise self.fail("registry_date_format", "дата не указана", number, field)
            return None
        day = self._dates.get(key)
        if day is None:
            try:
                day = parse_date(text, self.profile.date_format)
            except ValueProblem as problem:
                raise self.fail(f"registry_{problem.code}", problem.message, number,
                                field) from None
            if day > self.today:
                raise self.fail("registry_date_in_future", f"дата {day:%d.%m.%Y} ещё не "
                                f"наступила (сегодня {self.today:%d.%m.%Y})", number, field)
            self._dates[key] = day
        return day

    def _time(self, text: str, number: int) -> time | None:
        return self._remember(self._times, text, number, "time", parse_time,
                              self.profile.time_format)

    def _period(self, text: str, number: int) -> Period | None:
        return self._remember(self._periods, text, number, "period", parse_period,
                              self.profile.period_format)

    def _remember(self, cache: dict, text: str, number: int, field: str,
                  parse: Callable[[str, str], Any], fmt: str) -> Any:
        """Read an optional value with ``parse`` and keep it in ``cache`` under ``text``."""
        stripped = text.strip()
        try:
            found = parse(stripped, fmt) if stripped else None
        except ValueProblem as problem:
            raise self.fail(f"registry_{problem.code}", problem.message, number,
                            field) from None
        cache[text] = found
        return found

    def reading(self, counter: str, value: str, number: int, tag: str) -> Reading:
        """A meter reading of tag ``<prefix><counter>:<value>``."""
        if not counter:
            raise self.fail("registry_reading_format", "у показания нет номера прибора",
                            number, tag)
        try:
            return Reading(counter, parse_reading(value.strip()))
        except ValueProblem as problem:
            raise self.fail(f"registry_{problem.code}", problem.message, number, tag) from None
