"""What a calculation method declares, once, for the single situation and the monthly run.

A method is a small class in its own module of this package. It states:

- ``kernel`` — the operation of the charge kernel its rows run (``charges.METER`` …);
- :meth:`Method.constants` — what its row template takes from the decision and the dated rule
  values in force (factor, norm per person, quantity, months of history);
- :meth:`Method.inputs` — a, b, c of many rows at once from their fact columns (:class:`Rows`),
  and which rows it refuses for missing facts (``refusal`` names the code and the message);
- :meth:`Method.base` — the explain pattern of its base expression (``(131,789 − 123,456) м³``),
  per :meth:`Method.variants` of a row (a meter that passed zero reads differently).

Both paths build :class:`Rows` for the rows of a method — the situation path from the few rows
of its situation, the monthly run from its fact columns — and call the same functions, so a
method is written once. ``rows.py`` runs them; ``explain.py`` puts the base pattern into the
whole formula.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import gcd
from typing import ClassVar, Protocol

import numpy as np

from zhkh.kernel.calc.decide import MethodDecision
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.money import MICRO, NANO
from zhkh.kernel.rulebook import NormRule, TariffRule
from zhkh.kernel.rulebook.dated import DatedValues

UNKNOWN = -(2**63)
"""A fact the row does not have (no reading, no house volume, no volume that month)."""

HISTORY = 12
"""Months of meter history a row can carry (``observations.HISTORY_WINDOW``)."""

Piece = tuple[str, str | int]
"""One piece of an explain text: ``("const", text)`` or ``("num" | "rub" | "int", column)``
— a number of the row's column of that index, written as ``explain.num`` / ``money.format_rub_ru``
/ ``str`` write it (see ``_format.join_texts``)."""
Pattern = list[Piece]

A, B, C, PERSONS, VOLUME, AMOUNT, DAYS, DAYS_OF, PARTS = range(9)
"""Columns of an explain pattern: the kernel inputs a, b, c, the residents, the volume and the
amount of the row, the days it covers of ``DAYS_OF``; ``PARTS + i`` is the i-th source volume of
a second-pass row."""

COLUMNS = {
    "prev": "previous reading of the row's meter zone, 1e-6 (UNKNOWN: none)",
    "cur": "current reading of the row's meter zone, 1e-6 (UNKNOWN: none)",
    "capacity": "the meter's capacity, 1e-6 (0: no rollover)",
    "history": "(rows, HISTORY) monthly volumes of the zone, most recent first (UNKNOWN: none)",
    "persons": "residents of the row's days",
    "area": "the premises area, 1e-6 m²",
    "house_volume": "the house meter's volume of the period, 1e-6 (UNKNOWN: none)",
    "house_total": "the area of all premises of the house, 1e-6 m² (0: unknown)",
    "shared_prev": "the previous reading of the flat's shared meter, 1e-6 (UNKNOWN: none)",
    "shared_cur": "its current reading, 1e-6 (UNKNOWN: none)",
    "shared_weight": "the room's weight: its residents, or its area 1e-6",
    "shared_total": "the flat's weight: residents, or area 1e-6, of all its rooms",
    "common_volume": "the house's volume for common needs of the row's resource, 1e-6 "
                     "(UNKNOWN: none)",
    "parts": "(rows, k) volumes of a second-pass row's sources, compacted left (UNKNOWN: none)",
}
TEMPLATE_COLUMNS = {
    "norm": "the template's norm per person, 1e-6",
    "quantity": "the template's quantity, 1e-6",
    "history_take": "the template's months of history to average",
}
"""The columns a method may read from :class:`Rows`: the facts each path must be able to give
for a row, and constants of the row's template."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a method cannot calculate a row whose facts are missing: a stable code and a Russian
    message (it may name the ``{meter}``)."""

    code: str
    message: str

    def error(self, account: str, service: str, meter: str) -> CalculationError:
        """The error of the situation path for one refused row."""
        return CalculationError(self.code, self.message.format(meter=meter), account=account,
                                service=service)


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules decided for one component (and zone) of a fact: the method decision (None for
    a second-pass service), the tariff, the norm of the service's volume (methods reading it),
    and the component's own norm that turns the volume into its quantity (hot water's heat)."""

    decision: MethodDecision | None
    tariff: TariffRule
    norm: NormRule | None = None
    comp_norm: NormRule | None = None

    def dated(self) -> list[DatedValues]:
        """Every dated value a row of these rules reads: a change of one cuts the month."""
        values = [self.tariff.values]
        if self.decision is not None:
            values.append(self.decision.coefficient)
            if self.decision.quantity is not None:
                values.append(self.decision.quantity)
        values += [n.values for n in (self.norm, self.comp_norm) if n is not None]
        return values

    def ids(self) -> tuple[str, ...]:
        """Ids of the rules, in the order lines list them."""
        rules = (self.decision.rule if self.decision else None, self.tariff, self.norm,
                 self.comp_norm)
        return tuple(r.id for r in rules if r is not None)


class ValueAt(Protocol):
    """``value(values, what, rule_id)``: a dated value in force for the row, fixed point 1e-6
    (``places=9``: 1e-9); each path says which day and what a missing value means (an error,
    or the situation path)."""

    def __call__(self, values: DatedValues, what: str, rule_id: str, *,
                 places: int = 6) -> int: ...


NORM_PLACES = 9
"""Decimals a published norm may have (a norm turned into a factor)."""


@dataclass(kw_only=True, slots=True)
class Constants:
    """What a row template takes from the rules: the factor turning the base into the volume
    (``factor / factor_den``, with its unit), the months of the heating season when the
    factor is taken «× months/12» (ПП РФ №354, ф. 2(1): 0 — not), the norm per person, the
    quantity of a fixed fee, the months to average."""

    factor: int = MICRO
    factor_den: int = MICRO
    factor_unit: str = ""
    season_months: int = 0
    norm: int = 0
    norm_den: int = MICRO
    """The norm per person is ``norm / norm_den`` (1e-9 for a norm published with seven to
    nine decimals: the base persons × norm is then in 1e-9, and the kernel's factor says so)."""
    quantity: int = MICRO
    history_take: int = HISTORY

    @property
    def kernel_factor(self) -> tuple[int, int]:
        """The factor the kernel multiplies the base by, as (numerator, denominator): the
        norm, times ``season_months / 12`` when set, over the base's own scale."""
        if not self.season_months and self.norm_den == MICRO:
            return self.factor, self.factor_den
        num, den = self.factor, self.factor_den * (self.norm_den // MICRO)
        if self.season_months:
            num, den = num * self.season_months, den * 12
        g = gcd(num, den) or 1
        return num // g, den // g

    @property
    def norm_text(self) -> str:
        """The norm per person as a plain decimal string (``"4.9"``, ``"0.020612345"``)."""
        return decimal_text(self.norm, self.norm_den)


def decimal_text(value: int, den: int) -> str:
    """``value / den`` (``den`` a power of ten) as a plain decimal string without exponent."""
    places = len(str(den)) - 1
    d = Decimal(value).scaleb(-places)
    return format(d.quantize(Decimal(1)) if d == d.to_integral() else d.normalize(), "f")


def norm_factor(value: ValueAt, values: DatedValues, rule_id: str) -> tuple[int, int]:
    """A norm in force as a factor (numerator, denominator): fixed point 1e-6 when it has at
    most six decimals (as every factor before), else 1e-9 — published to the digit."""
    nano = value(values, "норматив", rule_id, places=NORM_PLACES)
    if nano % (NANO // MICRO) == 0:
        return nano // (NANO // MICRO), MICRO
    return nano, NANO


class Rows:
    """The rows of one method as columns (:data:`COLUMNS`), each built by the path on first use."""

    __slots__ = ("_built", "_column", "size")

    def __init__(self, size: int, column: Callable[[str], np.ndarray]) -> None:
        self.size = size
        self._column = column
        self._built: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in COLUMNS and name not in TEMPLATE_COLUMNS:
            raise KeyError(f"no column {name!r} in methods.base.COLUMNS")
        if name not in self._built:
            self._built[name] = self._column(name)
        return self._built[name]

    def zeros(self) -> np.ndarray:
        return np.zeros(self.size, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Inputs:
    """a, b, c of the rows (fixed point 1e-6 unless the kernel contract says otherwise) and
    the rows refused for missing facts."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    refused: np.ndarray | None = None
    """bool per row; None: the method refuses no row."""


class Method:
    """A calculation method; see the module docstring. Subclasses set the class attributes and
    override what differs from these defaults."""

    name: ClassVar[str]
    kernel: ClassVar[int]
    reads_meter: ClassVar[bool] = False
    """Rows follow the meter: one per meter zone, the zones of the fact's meter."""
    per_meter: ClassVar[bool] = False
    """One row per meter active in the period, covering its days (a meter replaced inside the
    month gives two)."""
    by_persons: ClassVar[bool] = False
    """Rows are cut where the number of residents changes (no row while nobody lives there);
    the line shows the residents and the norm."""
    volume_norm: ClassVar[bool] = False
    """Reads the norm of the service's volume component."""
    plain: ClassVar[bool] = False
    """Its base is already the volume: without a factor or a part of the month the formula
    does not repeat it (``54,3 м² × 30,12 ₽/м² = …``)."""
    second_pass: ClassVar[bool] = False
    """Its rows read the volumes of other rows, computed in a first pass."""
    refusal: ClassVar[Refusal | None] = None

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        """The template's constants from the decided rules (``value`` reads a dated one)."""
        return Constants()

    def inputs(self, rows: Rows) -> Inputs:
        """a, b, c of every row and the refused ones."""
        raise NotImplementedError

    def variants(self, columns: Sequence[np.ndarray], rows: np.ndarray) -> np.ndarray | None:
        """The variant of the base pattern of each of the ``rows`` (their numbers are in
        ``columns``, the explain columns); None: all rows read alike."""
        return None

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        """The base expression of a row of template ``t``, whose base is in ``unit``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<method {self.name}>"
