"""Pydantic models of quality incidents and complaints. Times are local wall-clock times of
the house (``2026-06-10T08:00``), without a time zone; magnitudes are decimal strings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from zhkh.kernel.bounded import Moment
from zhkh.modules.schemas import AccountRecalc, DecimalText, Input, Reason, Ref, decimal_text

IncidentKind = Literal["interruption", "temperature", "pressure", "tko_delay", "unsafe"]
NEEDS_MAGNITUDE = {"temperature": "на сколько °C ниже нормативной",
                   "pressure": "на сколько процентов вне допустимого диапазона"}


def _local(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is not None:
        raise ValueError("время указывается местное, без часового пояса "
                         "(например, 2026-06-10T08:00)")
    return value


LocalTime = Annotated[Moment, AfterValidator(_local)]
MAGNITUDE = ("Величина отклонения: для temperature — °C ниже нормативной, для pressure — % вне "
             "допустимого диапазона; для других видов не указывается")


def shape_problem(kind: str, started_at: datetime, ended_at: datetime | None,
                  magnitude: str | None) -> tuple[str, str, str] | None:
    """The first problem of an incident's values taken together, as (code, field, message);
    None when they fit."""
    if ended_at is not None and ended_at <= started_at:
        return ("times_out_of_order", "ended_at", "конец инцидента должен быть позже начала")
    if kind in NEEDS_MAGNITUDE and magnitude is None:
        return ("magnitude_required", "magnitude",
                f"для инцидента {kind} нужна величина отклонения — {NEEDS_MAGNITUDE[kind]}")
    if kind not in NEEDS_MAGNITUDE and magnitude is not None:
        return ("magnitude_not_used", "magnitude",
                f"для инцидента {kind} величина отклонения не используется")
    return None


class IncidentCreate(Input):
    house_id: Ref | None = Field(default=None, description="Дом; для помещения — необязательно")
    premises_id: Ref | None = Field(default=None, description="Помещение; не указано — весь дом")
    service: str = Field(min_length=1, max_length=64, examples=["hot_water"])
    kind: IncidentKind
    started_at: LocalTime
    ended_at: LocalTime | None = Field(default=None, description="Не указан — инцидент идёт; "
                                       "плата снижается, когда он закрыт")
    magnitude: DecimalText | None = Field(default=None, description=MAGNITUDE)
    reference: str | None = Field(default=None, max_length=200,
                                  description="Номер акта или обращения")
    reason: Reason = None


class IncidentUpdate(Input):
    """Only the fields sent are changed; ``ended_at`` closes the incident."""

    started_at: LocalTime | None = None
    ended_at: LocalTime | None = None
    magnitude: DecimalText | None = Field(default=None, description=MAGNITUDE)
    reference: str | None = Field(default=None, max_length=200)
    reason: Reason = None


class RecalcSummary(BaseModel):
    """How many accounts a change recalculated, from which month, and which failed."""

    period: str
    accounts: int
    errors: list[AccountRecalc] = Field(default_factory=list)


class IncidentOut(BaseModel):
    id: int
    house_id: int
    premises_id: int | None
    service: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    magnitude: str | None
    reference: str | None
    recalculation: list[AccountRecalc] | None = Field(
        default=None, description="Новые строки каждого пересчитанного счёта — для инцидента "
        "в помещении; для инцидента по дому строки смотрите в карточках счетов")
    recalculated: RecalcSummary | None = None

    @classmethod
    def of(cls, incident: Any, *, recalculation: list[AccountRecalc] | None = None,
           recalculated: RecalcSummary | None = None) -> IncidentOut:
        """The read model of a ``QualityIncident`` (with the recalculation after a change)."""
        return cls(id=incident.id, house_id=incident.house_id,
                   premises_id=incident.premises_id, service=incident.service,
                   kind=incident.kind, started_at=incident.started_at,
                   ended_at=incident.ended_at, magnitude=decimal_text(incident.magnitude_micro),
                   reference=incident.reference, recalculation=recalculation,
                   recalculated=recalculated)


Channel = Literal["phone", "portal", "visit"]
ComplaintKind = Literal["interruption", "temperature", "pressure", "tko_delay", "unsafe",
                        "other"]
Status = Literal["new", "accepted", "inspection", "confirmed", "rejected", "closed"]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class ComplaintCreate(Input):
    """A complaint as the dispatcher or a portal takes it: who (free text, optionally the
    account and the person), where (the house, optionally the premises — or just the account),
    what (service and kind), since when, and the caller's words."""

    channel: Channel
    caller_name: str | None = Field(default=None, max_length=200,
                                    description="Кто обратился (как представился)")
    caller_phone: str | None = Field(default=None, max_length=64)
    account: str | None = Field(default=None, min_length=6, max_length=20,
                                description="Лицевой счёт, если назван")
    person_id: Ref | None = None
    house_id: Ref | None = Field(default=None, description="Дом; не нужен при помещении или "
                                 "лицевом счёте")
    premises_id: Ref | None = Field(default=None, description="Помещение; не указано — дом")
    service: str = Field(min_length=1, max_length=64, examples=["hot_water"])
    kind: ComplaintKind = Field(description="Вид нарушения качества, как в правилах quality, "
                                "или other")
    started_at: LocalTime = Field(description="Когда началось (местное время)")
    text: Text
    reason: Reason = None


class TransitionIn(Input):
    """A step of the workflow. ``rejected`` needs ``comment`` (the reason given to the
    consumer); ``confirmed`` of a quality complaint records the incident, ending at
    ``ended_at`` (if already known) with ``magnitude`` for temperature and pressure."""

    to: Status
    comment: str | None = Field(default=None, max_length=4000,
                                description="Комментарий; для отклонения — причина")
    ended_at: LocalTime | None = Field(default=None, description="Для подтверждения: когда "
                                       "нарушение закончилось (по акту проверки)")
    magnitude: DecimalText | None = Field(default=None, description=MAGNITUDE)


class ComplaintEventOut(BaseModel):
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    comment: str | None


class ComplaintOut(BaseModel):
    id: int
    channel: str
    caller_name: str | None
    caller_phone: str | None
    contacts_hidden: bool = Field(description="Имя и телефон обратившегося скрыты от роли")
    account: str | None
    person_id: int | None
    house_id: int
    premises_id: int | None
    service: str
    kind: str
    started_at: datetime
    text: str
    status: str
    status_title: str
    status_since: datetime
    due_at: datetime | None
    overdue: bool
    incident_id: int | None
    created_by: str
    created_at: datetime
    history: list[ComplaintEventOut] | None = Field(
        default=None, description="История переходов, по порядку (в карточке обращения)")
    recalculated: RecalcSummary | None = Field(
        default=None, description="Подтверждение с инцидентом: сколько счетов пересчитано")
