"""The read models of analytics as the API returns them: money as decimal strings, the
collection rate as a percent string with one decimal (``"97.3"``), None when nothing was
charged."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from zhkh.kernel.money import format_kopecks
from zhkh.modules.analytics.collection import (
    Collection,
    GroupFigures,
    MonthFigures,
    age_labels,
)

MoneyText = Annotated[str, Field(examples=["1234.56"], description="Сумма, руб.")]
PercentText = Annotated[str | None, Field(examples=["97.3"],
                                          description="Собираемость, % (оплачено ÷ начислено)")]


def percent_text(permille: int | None) -> str | None:
    """‰ → ``"97.3"`` (None stays None)."""
    if permille is None:
        return None
    sign = "-" if permille < 0 else ""
    whole, tenth = divmod(abs(permille), 10)
    return f"{sign}{whole}.{tenth}"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class MonthOut(_Out):
    period: str
    charged: MoneyText
    paid: MoneyText
    posted: MoneyText = Field(description="Платежей проведено в месяце (сторно вычтены)")
    collection_rate: PercentText


class GroupOut(_Out):
    key: str | None = Field(description="Код группы: id дома, поставщика, УО или код услуги")
    name: str
    charged: MoneyText
    paid: MoneyText
    collection_rate: PercentText
    debt: MoneyText = Field(description="Долг по счетам закрытых месяцев, без пеней")
    debt_by_age: dict[str, MoneyText] = Field(description="Долг по сроку просрочки, дней")


class CollectionOut(_Out):
    """Charged vs paid by month, and per group with the debt by age."""

    by: str
    since: str | None
    until: str | None
    on: str = Field(description="Дата, на которую считается срок долга")
    months: list[MonthOut]
    groups: list[GroupOut]
    total: GroupOut

    @classmethod
    def of(cls, report: Collection) -> CollectionOut:
        """The JSON shape of a :class:`Collection`."""
        return cls(by=report.by, since=report.since, until=report.until,
                   on=report.on.isoformat(), months=[_month(m) for m in report.months],
                   groups=[_group(g) for g in report.groups], total=_group(report.total))


def _month(m: MonthFigures) -> MonthOut:
    return MonthOut(period=m.period, charged=format_kopecks(m.charged),
                    paid=format_kopecks(m.paid), posted=format_kopecks(m.posted),
                    collection_rate=percent_text(m.rate))


def _group(g: GroupFigures) -> GroupOut:
    return GroupOut(key=g.key, name=g.name, charged=format_kopecks(g.charged),
                    paid=format_kopecks(g.paid), collection_rate=percent_text(g.rate),
                    debt=format_kopecks(g.debt_total),
                    debt_by_age={label: format_kopecks(v)
                                 for label, v in zip(age_labels(), g.debt, strict=True)})
