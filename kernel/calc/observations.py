"""What a situation says about one account in a period: residents by day, meter readings.

Everything here is plain date arithmetic over the validated situation; the rules decide
what to do with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.situation import Account, Meter, Reading
from zhkh.kernel.period import Period, days_inclusive

HISTORY_WINDOW = 12
"""How many months before the period are searched for meter history (п. 59 needs ≤ 6)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """Inclusive day range of the period with a constant value."""

    start: date
    end: date
    value: int

    @property
    def days(self) -> int:
        return days_inclusive(self.start, self.end)


def persons_segments(account: Account, period: Period) -> list[Segment]:
    """Number of residents per day, as ranges of equal count (owners when nobody is registered).

    A person counts from the registration's first day to its last day inclusive (п. 56(2):
    when nobody is registered the owners are counted).
    """
    counts: list[int] = []
    day = period.first_day
    while day <= period.last_day:
        n = sum(
            1 for r in account.residents if r.start <= day and (r.end is None or day <= r.end)
        )
        counts.append(n if n > 0 else account.owners)
        day += timedelta(days=1)
    segments: list[Segment] = []
    for i, n in enumerate(counts):
        d = period.first_day + timedelta(days=i)
        if segments and segments[-1].value == n:
            segments[-1] = Segment(segments[-1].start, d, n)
        else:
            segments.append(Segment(d, d, n))
    return segments


@dataclass(frozen=True, slots=True)
class ZoneReadings:
    """Readings of one zone of one meter relevant to the period."""

    zone: str
    previous: Reading | None
    current: Reading | None
    history_volumes: tuple[Decimal, ...] = ()
    """Monthly volumes of the months before the gap, most recent first."""


@dataclass(frozen=True, slots=True)
class MeterInPeriod:
    """A meter active during (part of) the period with its readings per zone."""

    meter: Meter
    start: date
    end: date
    zones: tuple[ZoneReadings, ...] = field(default_factory=tuple)

    @property
    def readings_present(self) -> bool:
        return all(z.current is not None and z.previous is not None for z in self.zones)

    @property
    def days(self) -> int:
        return days_inclusive(self.start, self.end)


def active_meters(meters: list[Meter], period: Period) -> list[MeterInPeriod]:
    """Meters installed and not removed for at least one day of the period, with their readings."""
    found: list[MeterInPeriod] = []
    for m in meters:
        start = max(period.first_day, m.installed or period.first_day)
        end = min(period.last_day, m.removed or period.last_day)
        if start > end:
            continue
        zones = tuple(_zone_readings(m, z, period, start, end) for z in m.zones)
        found.append(MeterInPeriod(m, start, end, zones))
    return found


def _zone_readings(m: Meter, zone: str, period: Period, start: date, end: date) -> ZoneReadings:
    readings = sorted((r for r in m.readings if r.zone == zone), key=lambda r: r.date)
    in_period = [r for r in readings if start <= r.date <= end]
    before = [r for r in readings if r.date < period.first_day]
    if m.installed and m.installed >= period.first_day:
        initial = [r for r in readings if r.date == m.installed]
        previous = initial[0] if initial else None
        in_period = [r for r in in_period if r.date > m.installed] or in_period[1:]
    else:
        previous = before[-1] if before else None
    current = in_period[-1] if in_period else None
    return ZoneReadings(zone, previous, current, monthly_history(readings, period, m.installed))


def monthly_history(readings: list[Reading], period: Period, installed: date | None = None
                    ) -> tuple[Decimal, ...]:
    """The volumes of :func:`monthly_volumes`, most recent first (what п. 59 averages)."""
    return tuple(v for _, v in monthly_volumes(readings, period, installed))


def monthly_volumes(readings: list[Reading], period: Period, installed: date | None = None
                    ) -> list[tuple[Period, Decimal]]:
    """The months before ``period`` (up to ``HISTORY_WINDOW``) that have a volume, most recent
    first, with it: the month's last reading minus the previous month's last one. The
    installation reading (taken on ``installed``) is the meter's base, not a month's reading:
    the month of installation has a volume from the base to its last reading whatever day the
    meter was installed (п. 59 counts the months of actual consumption), and a month whose
    only reading is the base has none. ``readings`` are one zone's, sorted by date."""
    last_in_month: dict[Period, Reading] = {}
    for r in readings:
        last_in_month[Period.of(r.date)] = r
    base = readings[0] if readings and installed is not None and readings[0].date == installed \
        else None
    volumes: list[tuple[Period, Decimal]] = []
    for back in range(1, HISTORY_WINDOW + 1):
        p = period.shift(-back)
        cur, prev = last_in_month.get(p), last_in_month.get(p.shift(-1))
        if prev is None and base is not None and cur is not base and Period.of(base.date) == p:
            prev = base
        if cur is not None and prev is not None and cur.value >= prev.value:
            volumes.append((p, cur.value - prev.value))
    return volumes


def months_without_readings(meters: list[Meter], period: Period) -> int:
    """Consecutive months up to the period (inclusive) without any reading; 0 if it has one."""
    months_with = {Period.of(r.date) for m in meters for r in m.readings}
    n = 0
    p = period
    while p not in months_with and n < HISTORY_WINDOW + 1:
        n += 1
        p = p.shift(-1)
    return n


def check_verification(account: str, service: str, meters: list[Meter]) -> None:
    """Refuse readings taken after the meter's verification expired (they cannot be used)."""
    for m in meters:
        if m.verified_until is None:
            continue
        late = [r for r in m.readings if r.date > m.verified_until]
        if late:
            raise CalculationError(
                "meter_verification_expired",
                f"показание прибора {m.id} от {late[0].date.isoformat()} снято после окончания "
                f"срока поверки {m.verified_until.isoformat()}: такое показание не принимается",
                account=account,
                service=service,
            )


def months_since(day: date, period: Period) -> int:
    """Number of whole periods from the month after ``day`` up to ``period`` inclusive."""
    p = Period.of(day)
    return (period.year - p.year) * 12 + (period.month - p.month)
