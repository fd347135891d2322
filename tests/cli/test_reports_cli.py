"""``zhkh turnover`` and ``zhkh debtors``: the sheet's totals equal the ledger's to the kopeck in
every format, the debt falls into its age bucket, and an 80-column table never cuts a number."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from zhkh.kernel.money import to_kopecks

from .conftest import Town, build_town, charge, payment, registry_file

MONTHS = ("2025-05", "2026-03", "2026-07", "2026-09", "2026-10")
"""Bills whose debts on 07.12.2026 are >365, 181–365, 91–180, 31–90 and 0–30 days overdue."""


@pytest.fixture(params=["sqlite", "postgresql"])
def paid_town(request, make_db, tmp_path: Path):
    """Five closed bills of 3 000,00 per account; the first account paid 1 500,00 for
    September in the open month 2026-11."""
    town = build_town(make_db(request.param), tmp_path, months=MONTHS)
    town.ok("payments", "import", registry_file(tmp_path / "r.txt", [
        payment(town.accounts[0], 150_000, 1, commission=1_000)]),
        "--received-on", "2026-11-02")
    yield town
    town.close()


def ledger(town: Town, period: str) -> int:
    return int(town.scalar(f"select coalesce(sum(amount_kopecks), 0) from ledger_lines "
                           f"where period_booked = '{period}'"))


def allocated(town: Town, period: str) -> int:
    return int(town.scalar(f"select coalesce(sum(amount_kopecks), 0) from payment_allocations "
                           f"where period_booked = '{period}' and kind <> 'advance'"))


class TestTheTurnoverSheetReconcilesToTheKopeck:
    def test_csv_json_and_xlsx_totals_equal_the_ledger(self, paid_town, tmp_path):
        town = paid_town
        for period in ("2026-10", "2026-11"):
            as_json = json.loads(town.ok("turnover", "--period", period, "--format", "json")
                                 .stdout)
            assert to_kopecks(as_json["total"]["charged_total"]) == ledger(town, period)
            assert to_kopecks(as_json["total"]["paid"]) == allocated(town, period)
            rows = list(csv.DictReader(io.StringIO(town.ok(
                "turnover", "--period", period, "--by", "house", "--format", "csv").stdout)))
            total = rows[-1]
            assert total["Наименование"] == "Итого"
            assert to_kopecks(total["Начислено"]) == ledger(town, period)
            assert sum(to_kopecks(r["Начислено"]) for r in rows[:-1]) == ledger(town, period)
            for r in rows:
                assert to_kopecks(r["Сальдо на начало"]) + to_kopecks(r["Начислено"]) - \
                    to_kopecks(r["Оплачено"]) == to_kopecks(r["Сальдо на конец"])
        out = tmp_path / "osv.xlsx"
        town.ok("turnover", "--period", "2026-10", "--by", "service", "--format", "xlsx",
                "--out", out)
        sheet = _xlsx(out)
        header, total = sheet[1], sheet[-1]
        charged = total[header.index("Начислено")]
        assert Decimal(str(charged)) * 100 == ledger(town, "2026-10") == 900_000
        assert [r[header.index("Наименование")] for r in sheet[2:-1]] == [
            "Холодное водоснабжение", "Отопление"]

    def test_the_table_ends_with_the_reconciliation_line(self, paid_town):
        out = " ".join(paid_town.ok("turnover", "--period", "2026-11").output.split())
        assert "Сверка: начислено по ведомости" in out
        assert out.count("сходится") == 2 and "РАСХОЖДЕНИЕ" not in out

    def test_an_unknown_grouping_is_refused(self, paid_town):
        result = paid_town.run("turnover", "--period", "2026-11", "--by", "street")
        assert result.exit_code == 2 and "--by" in result.output


def _xlsx(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_debtors_fall_into_their_age_buckets(paid_town, tmp_path):
    town = paid_town
    found = json.loads(town.ok("debtors", "--on", "2026-12-07", "--format", "json").stdout)
    by_account = {d["account"]: d for d in found}
    assert by_account[town.accounts[1]]["by_age"] == {
        "0–30": "3000.00", "31–90": "3000.00", "91–180": "3000.00", "181–365": "3000.00",
        ">365": "3000.00"}
    # the payer named September (PaymPeriod), so September's bill was paid first
    assert by_account[town.accounts[0]]["by_age"]["31–90"] == "1500.00"
    assert by_account[town.accounts[0]]["total"] == "13500.00"
    assert [d["account"] for d in found][-1] == town.accounts[0]  # largest debt first
    out = tmp_path / "debtors.xlsx"
    town.ok("debtors", "--on", "2026-12-07", "--provider", town.providers["teplo"],
            "--format", "xlsx", "--out", out)
    rows = _xlsx(out)
    assert rows[-1][0] == "Итого"
    assert Decimal(str(rows[-1][2])) == Decimal("29000")  # 3 × 5 × 2 000 − 1 000 paid


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_80_column_table_never_cuts_a_number(backend, make_db, tmp_path):
    """Each row of the CSV is in the table printed for an 80-column terminal with its key and
    every amount whole and in order: debts of 100 000,00 a month in five age buckets, a
    recalculation of 123 456 789,01 in the turnover sheet; text columns fold instead."""
    town = build_town(make_db(backend), tmp_path, months=MONTHS, bills={
        "cold_water": ("vodokanal", 4_567_891), "heating": ("teplo", 5_432_109)})
    town.ok("payments", "import", registry_file(tmp_path / "r.txt", [
        payment(town.accounts[0], 150_000, 1)]), "--received-on", "2026-11-02")
    _every_amount_whole(town, ("debtors", "--on", "2026-12-07"), with_total=False)
    charge(town, 2, "heating", "2026-11", 12_345_678_901)
    _every_amount_whole(town, ("turnover", "--period", "2026-11", "--by", "account"))
    _every_amount_whole(town, ("transfers", "--date", "2026-11-02"))


def _every_amount_whole(town: Town, command: tuple[str, ...], *, with_total: bool = True
                        ) -> None:
    table = town.ok(*command).stdout
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = lines[next(i for i, line in enumerate(lines) if "──" in line) - 1]
    rows = list(csv.reader(io.StringIO(town.ok(*command, "--format", "csv").stdout)))
    shown = [i for i, title in enumerate(rows[0]) if title in header]
    checked = 0
    for row in rows[1:] if with_total else rows[1:-1]:
        key = next(row[i] for i in shown if not MONEY.match(row[i]))
        amounts = [_rubles(row[i]) for i in shown if MONEY.match(row[i])]
        assert any(cells[-len(amounts):] == amounts and key in cells
                   for cells in ([c for c in ln.split(" ") if c] for ln in lines)), \
            f"{command[0]}: {row}"
        checked += 1
    assert checked >= 3


MONEY = re.compile(r"^-?\d+\.\d\d$")


def _rubles(value: str) -> str:
    kopecks = to_kopecks(value)
    whole, part = divmod(abs(kopecks), 100)
    return ("−" if kopecks < 0 else "") + f"{whole:,}".replace(",", "\xa0") + f",{part:02d}"
