"""``zhkh transfers``: the day's money split to providers minus the agent fee, with bank details;
marked sent once; reconciled to the kopeck."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from zhkh.kernel.money import to_kopecks

from .conftest import PAYEES, payment, registry_file


def _paid(town, tmp_path):
    town.ok("payments", "import", registry_file(tmp_path / "r.txt", [
        payment(town.accounts[0], 150_000, 1), payment(town.accounts[1], 300_000, 2)]),
        "--received-on", "2026-10-06")


def test_the_registry_lists_each_provider_with_its_fee_and_bank_details(town, tmp_path):
    _paid(town, tmp_path)
    rows = list(csv.DictReader(io.StringIO(town.ok(
        "transfers", "--date", "2026-10-06", "--format", "csv").stdout)))
    by_name = {r["Поставщик"]: r for r in rows}
    water, heat = by_name["Водоканал"], by_name["Теплосеть"]
    # each payment pays its September bill in proportion: 1/3 water, 2/3 heating; fee 1.5 %
    assert (water["Собрано"], water["Вознаграждение"], water["К перечислению"]) == (
        "1500.00", "22.50", "1477.50")
    assert (heat["Собрано"], heat["Вознаграждение"], heat["К перечислению"]) == (
        "3000.00", "45.00", "2955.00")
    assert water["Расчётный счёт"] == PAYEES["vodokanal"]["account"]
    assert water["БИК"] == "049401601" and water["ИНН"] == PAYEES["vodokanal"]["inn"]
    total = by_name["Итого"]
    assert to_kopecks(total["К перечислению"]) == 147_750 + 295_500


def test_a_transfer_is_marked_sent_once_and_the_next_day_starts_after_it(sqlite_town,
                                                                         tmp_path):
    town = sqlite_town
    _paid(town, tmp_path)
    no_reference = town.run("transfers", "--date", "2026-10-06", "--mark-sent")
    assert no_reference.exit_code == 2
    out = tmp_path / "perechisleniya.xlsx"
    town.ok("transfers", "--date", "2026-10-06", "--mark-sent", "--reference", "512",
            "--format", "xlsx", "--out", out, "--actor", "Бухгалтер")
    assert town.scalar("select count(*) from provider_transfers") == 2
    assert town.scalar("select sum(amount_kopecks) from provider_transfers") == 443_250
    assert town.scalar("select count(*) from audit_log where action = 'transfer.record'") == 2
    from openpyxl import load_workbook

    sheet = [list(r) for r in load_workbook(out, read_only=True).worksheets[0]
             .iter_rows(values_only=True)]
    assert sheet[-1][1] == "Итого" and Decimal(str(sheet[-1][7])) == Decimal("4432.5")
    again = town.ok("transfers", "--date", "2026-10-06", "--mark-sent", "--reference", "513")
    assert "Перечислять нечего" in again.output
    assert town.scalar("select count(*) from provider_transfers") == 2
    reconciled = list(csv.DictReader(io.StringIO(town.ok(
        "transfers", "reconcile", "--from", "2026-10-01", "--to", "2026-10-31",
        "--format", "csv").stdout)))
    for r in reconciled:
        assert to_kopecks(r["Собрано"]) == to_kopecks(r["Перечислено"]) + to_kopecks(
            r["Вознаграждение"]) + to_kopecks(r["Осталось"])
    assert {r["Поставщик"]: r["Осталось"] for r in reconciled} == {
        "Водоканал": "0.00", "Теплосеть": "0.00", "Итого": "0.00"}
    table = " ".join(town.ok("transfers", "reconcile", "--from", "2026-10-01", "--to",
                             "2026-10-31").output.split())
    assert "сходится" in table


def test_a_date_is_required(sqlite_town):
    result = sqlite_town.run("transfers")
    assert result.exit_code == 2 and "--date" in result.output
    bad = sqlite_town.run("transfers", "--date", "31.02.2026")
    assert bad.exit_code == 2 and "не дата" in bad.output
