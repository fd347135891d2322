"""Payment documents and common property (СОИ): a common-property service's charge goes in the
columns «на СОИ», and the reference block shows the run's house figures (``house_month_totals``:
the house volume — or its average, none by norm —, Σ individual volumes, the volume shared
after the cap) instead of recomputing them from readings and lines."""

from __future__ import annotations

from zhkh.modules.documents.lines import Titles, charge_table, house_volumes
from zhkh.modules.documents.sources import Line


def test_the_reference_block_takes_the_runs_figures_and_keeps_other_meters(shipped):
    titles = Titles(shipped.rulebook.services)
    rows = house_volumes(
        [("cold_water", 1_000_000_000, 1_040_000_000, None),
         ("heating", 100_000_000, 130_000_000, None)],
        {"cold_water": 27_133_000, "heating": 30_000_000}, titles,
        {"cold_water": (40_000_000, 27_133_000, 5_000_000),  # capped at 5
         "electricity": (None, 11_900_000_000, 720_000_000)})  # by norm: no house volume
    assert rows == [
        {"service": "Холодное водоснабжение", "unit": "м³", "house_meter": "40",
         "individual": "27.133", "common": "5"},
        {"service": "Электроснабжение", "unit": "кВт·ч", "house_meter": None,
         "individual": "11900", "common": "720"},
        {"service": "Отопление", "unit": "Гкал", "house_meter": "30", "individual": "30",
         "common": "0"}]


def test_a_common_property_service_is_charged_in_the_common_columns(shipped):
    titles = Titles(shipped.rulebook.services)
    lines = [Line(account_id=1, provider_id=1, service=s, component=None, zone=None,
                  kind="charge", period_for="2026-10", period_booked="2026-10", method=m,
                  volume_micro=v,
                  tariff_micro=59_060_000, amount=k, explain="")
             for s, m, v, k in (("cold_water", "meter", 8_333_000, 49215),
                                ("cold_water_common", "common_property", 1_146_800, 6773))]
    table, _repair = charge_table(lines, titles, {1: "Водоканал"})
    common = next(r for r in table if r["service"] == "ХВС на содержание общего имущества")
    assert (common["volume_individual"], common["volume_common"], common["charged_individual"],
            common["charged_common"], common["method_common"]) == (
        None, "1.1468", 0, 6773, "ОДПУ")
    own = next(r for r in table if r["service"] == "Холодное водоснабжение")
    assert (own["volume_individual"], own["charged_individual"], own["charged_common"]) == (
        "8.333", 49215, 0)
