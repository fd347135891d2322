"""The dispatcher's workflow of a complaint: which moves are legal and how long each step may
take.

    new → accepted → inspection → confirmed | rejected → closed

Due times follow ПП РФ №354, п. 105–109: a consumer's report of a service interrupted or of
poor quality is registered by the emergency dispatch service at once (п. 106), the inspection
takes place no later than 2 hours after the report unless another time is agreed with the
consumer (п. 108), and an act of inspection is drawn up when it ends (п. 109). The regulation
names no time for drawing up the act or for closing a complaint; those values are this
centre's settings, marked so in :data:`DEADLINES`. The values are dated like the rules: a
value holds from its date until the next entry, and a complaint's times are those in force
on the day it was received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

STATUS_TITLES = {"new": "новое", "accepted": "принято", "inspection": "на проверке",
                 "confirmed": "подтверждено", "rejected": "отклонено", "closed": "закрыто"}
"""How an operator reads each status (error messages, pages)."""
CHANNEL_TITLES = {"phone": "телефон", "portal": "портал", "visit": "личный приём"}
KIND_TITLES = {"interruption": "перерыв в предоставлении", "temperature": "температура ниже нормы",
               "pressure": "давление вне нормы", "tko_delay": "задержка вывоза ТКО",
               "unsafe": "опасно для жизни и здоровья", "other": "другое"}

NEXT: dict[str, tuple[str, ...]] = {
    "new": ("accepted",), "accepted": ("inspection",), "inspection": ("confirmed", "rejected"),
    "confirmed": ("closed",), "rejected": ("closed",), "closed": (),
}
"""The legal moves from each status."""


@dataclass(frozen=True)
class StepTime:
    """How long a status may last: ``hours`` counted from entering the status, or from
    receiving the complaint when ``from_received``; ``source`` is the clause or «настройка»."""

    hours: int
    source: str
    from_received: bool = False


@dataclass(frozen=True)
class Deadlines:
    """The due times of each open status, in force from ``since``."""

    since: date
    steps: dict[str, StepTime]


DEADLINES: tuple[Deadlines, ...] = (
    Deadlines(since=date(2011, 9, 1), steps={
        "new": StepTime(1, "ПП РФ №354, п. 106 (регистрация сообщения — незамедлительно); "
                           "1 ч — настройка центра"),
        "accepted": StepTime(2, "ПП РФ №354, п. 108 (проверка не позднее 2 часов с момента "
                                "получения сообщения)", from_received=True),
        "inspection": StepTime(24, "ПП РФ №354, п. 109 (акт по окончании проверки); "
                                   "24 ч — настройка центра"),
        "confirmed": StepTime(72, "настройка центра (закрытие после снижения платы)"),
        "rejected": StepTime(72, "настройка центра (закрытие после ответа потребителю)"),
    }),
)
"""Due times by date; a new entry (with its date) changes them for complaints received from
then on."""


def deadlines_on(day: date) -> Deadlines:
    """The due times in force on ``day`` (the earliest entry for a day before all of them)."""
    current = DEADLINES[0]
    for entry in DEADLINES:
        if entry.since <= day:
            current = entry
    return current


def due_at(status: str, *, received_at: datetime, entered_at: datetime) -> datetime | None:
    """When a complaint received at ``received_at`` that entered ``status`` at ``entered_at``
    must leave it; None for ``closed`` (nothing is due)."""
    step = deadlines_on(received_at.date()).steps.get(status)
    if step is None:
        return None
    start = received_at if step.from_received else entered_at
    return start + timedelta(hours=step.hours)


def refusal(number: int, current: str, wanted: str) -> str | None:
    """The Russian message refusing the move ``current`` → ``wanted`` of complaint ``number``,
    naming both states and what is possible; None when the move is legal."""
    allowed = NEXT[current]
    if wanted in allowed:
        return None
    title = STATUS_TITLES.get(wanted, wanted)
    if not allowed:
        tail = "обращение закрыто, переходов из него нет"
    else:
        tail = "можно только в " + " или ".join(f"«{STATUS_TITLES[s]}»" for s in allowed)
    return (f"обращение №{number} в состоянии «{STATUS_TITLES[current]}»: перевести его "
            f"в «{title}» нельзя — {tail}")
