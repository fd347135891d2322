"""The house's volume for common needs (СОИ): the compiled kernel equals its Decimal twin on
generated houses, the twin is the REFERENCE §1.4 rule, and the premises' parts of an uncapped
house sum to its volume for common needs (to the rounding of each part)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhkh.kernel import _kernel, reference
from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.money import INT64_MAX, INT64_MIN, to_micro
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR

HEAVY = settings(max_examples=1000, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EDGES = st.sampled_from([INT64_MIN, INT64_MIN + 1, -1, 0, 1, 10**6, 2**62, INT64_MAX])
ANY = st.integers(INT64_MIN, INT64_MAX)
VOLUME = st.one_of(st.integers(0, 10**13), EDGES, ANY)
SMALL = st.one_of(st.integers(0, 10**9), EDGES)
FLAGS = st.integers(0, 7)
HOUSE = st.tuples(VOLUME, VOLUME, st.one_of(st.integers(0, 12), EDGES), VOLUME, SMALL, SMALL,
                  FLAGS)


def run(impl, houses):
    n = len(houses)
    cols = list(zip(*houses, strict=True)) if houses else [()] * 7
    ins = [np.array(c, np.int64) for c in cols[:6]]
    flags = np.array(cols[6], np.int8)
    out64 = [np.full(n, -7, np.int64) for _ in range(3)]
    out8 = [np.full(n, -7, np.int8) for _ in range(3)]
    failed = impl(*ins, flags, *out64, *out8)
    return failed, [c.tolist() for c in (*out64, *out8)]


@HEAVY
@given(st.lists(HOUSE, max_size=20))
def test_the_compiled_common_volumes_equal_the_twin(houses):
    assert run(_kernel.common_volumes, houses) == run(reference.common_volumes, houses)


@settings(max_examples=300, deadline=None)
@given(house=st.integers(0, 10**12), individual=st.integers(0, 10**12),
       norm=st.integers(0, 10**7), area=st.integers(0, 10**10), flags=FLAGS)
def test_the_twin_is_the_reference_rule(house, individual, norm, area, flags):
    status, volume, used, cap, source, _outcome = reference.common_row(
        house, 0, 0, individual, norm, area, flags)
    want_cap = int((Decimal(norm) * Decimal(area) / 10**6).to_integral_value("ROUND_HALF_UP"))
    diff = house - individual
    assert (status, used, cap, source) == (reference.OK, house, want_cap, reference.SOURCE_METER)
    if diff < 0:
        kept = flags & reference.NEGATIVE_KEPT
        assert volume == (diff if kept else 0)
    elif not flags & reference.CAP_LIFTED:
        assert volume == min(diff, want_cap)
    else:
        assert volume == diff


def test_a_missing_house_volume_falls_back_to_the_average_then_to_the_norm():
    unknown = INT64_MIN
    # average of 3 months 10, 11, 12 → 11; minus 4 → 7, under the cap 0,5 × 100 = 50
    assert reference.common_row(unknown, 33 * 10**6, 3, 4 * 10**6, 500_000, 100 * 10**6,
                                reference.AVERAGE_FALLBACK) == (
        reference.OK, 7 * 10**6, 11 * 10**6, 50 * 10**6, reference.SOURCE_AVERAGE,
        reference.OUTCOME_DIFFERENCE)
    # no history (or no fallback allowed): the norm × common area
    for hist_n, flags in ((0, reference.AVERAGE_FALLBACK), (3, 0)):
        assert reference.common_row(unknown, 33 * 10**6, hist_n, 4 * 10**6, 500_000,
                                    100 * 10**6, flags)[:5] == (
            reference.OK, 50 * 10**6, 0, 50 * 10**6, reference.SOURCE_NORM)


RULEBOOK = load_rulebook(RULES_DIR)
ENGINE = engine_for(RULEBOOK)
AREA = st.decimals(min_value=Decimal("10"), max_value=Decimal("200"), places=1)


@settings(max_examples=60, deadline=None)
@given(areas=st.lists(AREA, min_size=1, max_size=12),
       used=st.lists(st.decimals(min_value=0, max_value=20, places=3), min_size=12,
                     max_size=12),
       extra=st.decimals(min_value=0, max_value=50, places=3))
def test_the_premises_parts_of_an_uncapped_house_sum_to_its_volume_for_common_needs(
        areas, used, extra):
    individual = sum(used[:len(areas)], Decimal(0))
    accounts = [{"number": f"10000{i:05d}", "area": str(a), "services": [
        {"service": "cold_water", "provider": "vodokanal", "meters": [{"id": f"m{i}", "readings": [
            {"date": "2026-08-24", "value": "100"},
            {"date": "2026-09-24", "value": str(100 + used[i])}]}]},
        {"service": "cold_water_common", "provider": "uk"}]} for i, a in enumerate(areas)]
    situation = Situation.model_validate({
        "period": "2026-09", "accounts": accounts,
        "house": {"total_area": str(sum(areas, Decimal(0))), "common_area": "1",
                  "common_cap_lifted": True,
                  "resources": [{"service": "cold_water", "volume": str(individual + extra)}]}})
    result = calculate(situation, RULEBOOK, ENGINE)
    parts = [to_micro(Decimal(ln.volume)) for ln in result.lines
             if ln.service == "cold_water_common"]
    assert len(parts) == len(areas)
    assert abs(sum(parts) - to_micro(extra)) <= len(areas)  # each part rounded to 1e-6
    (house,) = result.houses
    assert (house.outcome, Decimal(house.common_volume)) == ("difference", extra)


@pytest.mark.parametrize("flags, volume, outcome", [
    (0, 0, reference.OUTCOME_ZERO),
    (reference.NEGATIVE_KEPT, -150 * 10**6, reference.OUTCOME_NEGATIVE)])
def test_a_negative_difference_is_zero_or_kept_as_the_setting_says(flags, volume, outcome):
    st_, got, _used, _cap, _src, out = reference.common_row(
        11_750 * 10**6, 0, 0, 11_900 * 10**6, 900_000, 800 * 10**6, flags)
    assert (st_, got, out) == (reference.OK, volume, outcome)


@settings(max_examples=60, deadline=None)
@given(rooms=st.lists(st.tuples(AREA, st.integers(0, 4)), min_size=1, max_size=6),
       used=st.decimals(min_value=0, max_value=40, places=3))
def test_the_rooms_parts_of_a_shared_meter_sum_to_the_flats_volume(rooms, used):
    """By residents (by area when nobody is registered): each room's part rounded to 1e-6."""
    accounts = [{"number": f"20000{i:05d}", "area": str(a), "premises_kind": "room",
                 "residents": [{"person": f"p{i}-{k}", "from": "2015-01-01"} for k in range(n)],
                 "services": [{"service": "cold_water", "provider": "vodokanal",
                               "shared_meter": {"id": "kv", "readings": [
                                   {"date": "2026-08-24", "value": "100"},
                                   {"date": "2026-09-24", "value": str(100 + used)}]}}]}
                for i, (a, n) in enumerate(rooms)]
    situation = Situation.model_validate({"period": "2026-09", "accounts": accounts})
    lines = calculate(situation, RULEBOOK, ENGINE).lines
    assert {ln.method for ln in lines} == {"shared_meter"}
    parts = [to_micro(Decimal(ln.volume)) for ln in lines]
    assert abs(sum(parts) - to_micro(used)) <= len(rooms)
    nobody = all(n == 0 for _a, n in rooms)
    assert all(("м² /" if nobody else "чел /") in ln.explain for ln in lines)
