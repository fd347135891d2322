"""The signature of one account × service in a period: the facts the rules may read."""

from __future__ import annotations

from datetime import date

from zhkh.kernel.calc.observations import MeterInPeriod, months_since, months_without_readings
from zhkh.kernel.calc.situation import Account, AccountService, House
from zhkh.kernel.period import Period

Signature = dict[str, str | int | bool]


def meter_state(meters: list[MeterInPeriod], period: Period) -> tuple[str, date | None]:
    """State of the meters and the date of the event that made them unusable.

    ``absent`` without an active meter; ``failed`` when one broke or was lost by the end of the
    period; ``expired`` when a verification ran out before the period; else ``working``.
    """
    if not meters:
        return "absent", None
    failed = [m.meter.failed_on for m in meters
              if m.meter.failed_on is not None and m.meter.failed_on <= period.last_day]
    if failed:
        return "failed", min(failed)
    expired = [m.meter.verified_until for m in meters
               if m.meter.verified_until is not None and m.meter.verified_until < period.first_day]
    if expired:
        return "expired", min(expired)
    return "working", None


def shared_state(service: AccountService, period: Period) -> str:
    """``absent`` without a shared meter; ``present`` when it has a reading in the period and
    one before it (zone ``single``); else ``missing``."""
    shared = service.shared_meter
    if shared is None:
        return "absent"
    single = [r for r in shared.readings if r.zone == "single"]
    before = any(r.date < period.first_day for r in single)
    during = any(period.first_day <= r.date <= period.last_day for r in single)
    return "present" if before and during else "missing"


def build_signature(
    house: House,
    account: Account,
    service: AccountService,
    meters: list[MeterInPeriod],
    period: Period,
) -> Signature:
    """Attributes of the fact (see ``zhkh.kernel.rulebook.facts``); meter ones only with a meter.

    ``situation.house`` and ``service`` must have their derived attributes filled
    (:func:`zhkh.kernel.calc.fact_rules.with_derived_facts`).
    """
    sig: Signature = {
        "service": service.service,
        "provider": service.provider,
        "meter_installable": service.meter_installable,
        "meter_access_refusals": service.meter_access_refusals or 0,
        "house_type": house.house_type,
        "house_heat_meter": house.heat_meter,
        "heating_payment": house.heating_payment,
        "premises_kind": account.premises_kind,
        "amenities": account.amenities,
    }
    if house.heating_season is not None:  # no calendar in the rules: the tests on it are false
        sig["heating_season"] = house.heating_season
    sig["shared_meter"] = shared_state(service, period)
    if house.heating_season_months is not None:
        sig["heating_season_months"] = house.heating_season_months
    state, event = meter_state(meters, period)
    sig["meter"] = state
    if state == "absent":
        return sig
    sig["zones"] = max(len(m.meter.zones) for m in meters)
    sig["history_months"] = min(
        (min((len(z.history_volumes) for z in m.zones), default=0) for m in meters), default=0
    )
    if event is not None:
        # п. 59 «а», 81(12) «д»: no usable readings from the month of the failure or expiry
        sig["readings"] = "missing"
        sig["months_without_readings"] = months_since(event, period) + 1
        return sig
    sig["readings"] = "present" if all(m.readings_present for m in meters) else "missing"
    sig["months_without_readings"] = (
        0 if sig["readings"] == "present" else months_without_readings(service.meters, period)
    )
    return sig


def describe(sig: Signature) -> str:
    """``service=cold_water, meter=absent, …`` for error messages."""
    return ", ".join(f"{k}={_fmt(v)}" for k, v in sorted(sig.items()))


def _fmt(v: str | int | bool) -> str:
    return ("да" if v else "нет") if isinstance(v, bool) else str(v)
