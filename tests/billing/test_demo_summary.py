"""Numbers as Russians write them in the CLI: money ``1 234,56``, counts ``3 660``, seconds
``8,3``, months «октябрь 2026»; the demo's summary and a run's table fit an 80-column terminal
without ever wrapping a number, even at a big town's magnitudes (text is cut instead)."""

from __future__ import annotations

import io
from dataclasses import replace
from types import SimpleNamespace

import pytest
from rich.console import Console

from zhkh.adapters.cli.billing import run_listing
from zhkh.adapters.cli.demo import demo_listings
from zhkh.adapters.cli.output import Listing, print_table
from zhkh.adapters.print import fmt
from zhkh.modules.analytics.service import money_by_month
from zhkh.modules.demo.scenario import run_demo

NBSP = "\u00a0"


def test_the_formats():
    assert fmt.count(3660) == f"3{NBSP}660"
    assert fmt.count(-1234567) == f"−1{NBSP}234{NBSP}567"
    assert fmt.number(8.34) == "8,3" and fmt.number(1234.5, 2) == f"1{NBSP}234,50"
    assert fmt.money(123456) == f"1{NBSP}234,56" and fmt.money(-5) == "−0,05"
    assert fmt.rubles(123456) == f"1{NBSP}234,56{NBSP}₽"
    assert fmt.period("2026-10") == "октябрь 2026" and fmt.period("2025-01") == "январь 2025"


def _printed(listing: Listing, width: int = 80) -> list[str]:
    out = io.StringIO()
    print_table(listing, Console(file=out, width=width, force_terminal=False,
                                 color_system=None))
    return out.getvalue().splitlines()


def _cells(listing: Listing) -> list[str]:
    texts = []
    for row in [*listing.rows, *([listing.total] if listing.total else [])]:
        for column, value in zip(listing.columns, row, strict=True):
            if column.kind == "money":
                texts.append(fmt.money(value))
            elif column.kind == "count":
                texts.append(fmt.count(value) if isinstance(value, int) else str(value))
            elif column.kind == "code":
                texts.append(str(value))
    return texts


def _assert_whole(listing: Listing) -> None:
    lines = _printed(listing)
    assert all(len(line) <= 80 for line in lines)
    text = "\n".join(lines)
    assert "…" not in "".join(_cells(listing))
    for cell in _cells(listing):
        assert any(cell in line for line in lines), (cell, text)


BIG = {"Начислено", "Итого", "Выставлено", "Оплачено", "Долг"}


def _worst(listing: Listing) -> Listing:
    """The same table at a big town's magnitudes (5 000 flats): a month's charges, bills and
    payments up to 99 999 999,99, its recalculations, benefits, reductions, penalties and
    advances down to −999 999,99; a year by service ten times that; counts up to 9 999 999."""
    year = 10 if any(c.title == "Услуга" for c in listing.columns) else 1

    def big(column, value):
        if column.kind == "money":
            return (99_999_999_99 if column.title in BIG else -999_999_99) * year
        if column.kind == "count" and isinstance(value, int):
            return 9_999_999
        return value
    return replace(listing, rows=[tuple(big(c, v) for c, v in zip(listing.columns, row,
                                                                   strict=True))
                                  for row in listing.rows],
                   total=tuple(big(c, v) for c, v in zip(listing.columns, listing.total,
                                                         strict=True))
                   if listing.total else None)


@pytest.fixture
def demo(session, unit, calculator, shipped):
    report = run_demo(unit, calculator, shipped.finance_rules, accounts=24, houses=2,
                      months=3)
    assert report.stopped is None
    return report, money_by_month(session)


def test_the_demo_summary_fits_80_columns_and_names_the_months(demo, calculator):
    report, flows = demo
    listings = demo_listings(report, calculator, flows)
    printed = "\n".join(line for listing in listings for line in _printed(listing))
    assert "октябрь 2026" in printed and "2026-10" not in printed
    for listing in listings:
        _assert_whole(listing)
        _assert_whole(_worst(listing))


def test_a_run_table_fits_80_columns_and_says_the_rate_the_russian_way(demo, calculator):
    report, _ = demo
    run = report.months[-1].run.run
    listing = run_listing(run, calculator)
    assert listing.title.startswith("Расчёт за октябрь 2026")
    _assert_whole(listing)
    _assert_whole(_worst(listing))


def test_a_long_service_name_is_cut_not_wrapped():
    from zhkh.adapters.cli.output import Column

    listing = Listing("т", (Column("Услуга"), Column("Итого", "money")),
                      [("Очень длинное название услуги " * 5, 999_999_999_99)], None)
    lines = [line for line in _printed(listing, 40) if line.strip()]
    assert len(lines) == 4 and "…" in lines[3] and fmt.money(999_999_999_99) in lines[3]


def test_the_run_line_groups_the_rate(monkeypatch, calculator):
    from zhkh.adapters.cli import billing

    out = io.StringIO()
    monkeypatch.setattr(billing, "console", Console(file=out, width=200))
    run = SimpleNamespace(period="2026-10", rulebook_version="v", by_service={}, by_kind={},
                          lines=36600, accounts=5000, amount_kopecks=0, houses=50,
                          recalculation_lines=0, recalculation_kopecks=0, seconds=10.0,
                          run_id="r", errors=[])
    billing._render_run(run, calculator)
    assert f"время 10,0 с (3{NBSP}660 строк/с)" in out.getvalue()
