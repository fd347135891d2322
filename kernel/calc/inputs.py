"""Inputs of the second stage: benefit assignments, absences and quality incidents.

JSON-friendly: dates and date-times ISO, magnitudes decimal strings (a JSON float is refused).
Each item names its account, so the lists sit flat next to ``accounts`` in a situation.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhkh.kernel.bounded import Day, Flag, Moment
from zhkh.kernel.calc.types import Dec


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class BenefitAssignment(_Model):
    """A person of an account belongs to a benefit category from ``from`` to ``to`` inclusive."""

    account: str = Field(min_length=1)
    person: str = Field(min_length=1)
    category: str = Field(min_length=1, examples=["veteran_combat"])
    start: Day = Field(alias="from")
    end: Day | None = Field(default=None, alias="to",
                             description="Последний день; null — бессрочно")

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError("дата окончания льготы раньше даты начала")
        return self


class Absence(_Model):
    """A resident was away: ``from`` is the day of departure, ``to`` the day of return."""

    account: str = Field(min_length=1)
    person: str = Field(min_length=1)
    start: Day = Field(alias="from", description="День выезда")
    end: Day = Field(alias="to", description="День возвращения")
    documents: Flag = Field(default=True,
                            description="Подтверждающие документы представлены (п. 92)")

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.end < self.start:
            raise ValueError("день возвращения раньше дня выезда")
        return self


IncidentKind = Literal["interruption", "temperature", "pressure", "tko_delay", "unsafe"]


class Incident(_Model):
    """A quality incident of a service, for the whole house or for listed premises.

    ``magnitude``: for ``temperature`` — °C below the norm; for ``pressure`` — percent off the
    permitted range; not used by the other kinds.
    """

    id: str | None = None
    service: str = Field(min_length=1)
    kind: IncidentKind
    scope: Literal["house", "premises"] = "house"
    accounts: list[str] = Field(default_factory=list)
    start: Moment
    end: Moment
    magnitude: Dec | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.end <= self.start:
            raise ValueError("конец инцидента должен быть позже начала")
        if self.scope == "premises" and not self.accounts:
            raise ValueError("для scope: premises перечислите лицевые счета (accounts)")
        if self.scope == "house" and self.accounts:
            raise ValueError("для scope: house список accounts не нужен")
        if self.kind in ("temperature", "pressure") and self.magnitude is None:
            raise ValueError(f"для инцидента {self.kind} нужна величина отклонения (magnitude)")
        if self.magnitude is not None and self.magnitude < 0:
            raise ValueError("величина отклонения не может быть отрицательной")
        return self

    def covers(self, account: str) -> bool:
        """Whether the incident concerns ``account``."""
        return self.scope == "house" or account in self.accounts


class ExtrasInput(_Model):
    """Everything the second stage needs besides the situation and the charge lines."""

    benefits: list[BenefitAssignment] = Field(default_factory=list)
    absences: list[Absence] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)
