"""Payment registries in DBF (dBase III, cp866), written here with the ``dbf`` library the way
a bank's program writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import dbf

SPEC = ("DATE_PAY D; NUM_OPER C(20); LS C(20); FIO C(60); ADDRESS C(100); PERIOD C(4); "
        "SUMMA N(12,2); KOMISS N(10,2)")


def write_dbf(path: Path, rows: list[tuple], *, spec: str = SPEC, codepage: str = "cp866",
              deleted: tuple[int, ...] = ()) -> bytes:
    table = dbf.Table(str(path), spec, codepage=codepage, dbf_type="db3")
    table.open(dbf.READ_WRITE)
    for row in rows:
        table.append(row)
    for index in deleted:
        dbf.delete(table[index])
    table.close()
    return path.read_bytes()


ROWS = [
    (date(2026, 3, 5), "700001", "1000001", "Иванов Иван Иванович",
     "г. Ижевск, ул. Пушкинская, д. 1, кв. 5", "0226", Decimal("4123.45"), Decimal("41.23")),
    (date(2026, 3, 5), "700002", "1000002", "Петрова А. С.",
     "г. Ижевск, ул. Пушкинская, д. 1, кв. 6", "", Decimal("0.10"), Decimal("0")),
]


class TestADbfFromTheBank:
    def test_each_record_is_read_with_exact_kopecks(self, bank, tmp_path):
        data = write_dbf(tmp_path / "r.dbf", ROWS)
        first, second = bank.parse(data, "payments_dbf").lines
        assert (first.account, first.amount, first.commission) == ("1000001", 412345, 4123)
        assert (first.payer, first.payment_date) == ("Иванов Иван Иванович", date(2026, 3, 5))
        assert first.period.month == 2
        assert (second.amount, second.commission, second.period) == (10, 0, None)
        assert first.line_number == 1 and second.line_number == 2

    def test_a_dbf_has_no_footer_and_its_totals_are_counted(self, bank, tmp_path):
        registry = bank.parse(write_dbf(tmp_path / "r.dbf", ROWS), "payments_dbf")
        assert registry.footer is None
        assert (registry.totals.line_count, registry.totals.amount) == (2, 412355)

    def test_a_record_marked_deleted_is_skipped_as_dbase_does(self, bank, tmp_path):
        data = write_dbf(tmp_path / "r.dbf", ROWS, deleted=(0,))
        registry = bank.parse(data, "payments_dbf")
        assert [line.account for line in registry.lines] == ["1000002"]

    def test_the_file_can_be_given_by_its_path(self, bank, tmp_path):
        write_dbf(tmp_path / "r.dbf", ROWS)
        registry = bank.parse(tmp_path / "r.dbf", "payments_dbf")
        assert registry.file_name == "r.dbf" and len(registry.lines) == 2


class TestBadDbfFiles:
    def test_a_missing_column_is_named(self, bank, tmp_path):
        spec = SPEC.replace("; KOMISS N(10,2)", "")
        data = write_dbf(tmp_path / "r.dbf", [row[:-1] for row in ROWS], spec=spec)
        err = bank.refusal(data, "payments_dbf")
        assert (err.code, err.field) == ("registry_dbf_column", "commission")
        assert "нет столбца KOMISS" in err.message

    def test_an_amount_with_three_decimals_is_refused(self, bank, tmp_path):
        spec = SPEC.replace("SUMMA N(12,2)", "SUMMA N(12,3)")
        rows = [ROWS[0], (*ROWS[1][:6], Decimal("12.345"), Decimal("0"))]
        err = bank.refusal(write_dbf(tmp_path / "r.dbf", rows, spec=spec), "payments_dbf")
        assert (err.code, err.line, err.field) == ("registry_amount_precision", 2, "amount")
        assert "12.345" in err.message

    def test_a_zero_amount_is_refused(self, bank, tmp_path):
        rows = [ROWS[0], (*ROWS[1][:6], Decimal("0"), Decimal("0"))]
        err = bank.refusal(write_dbf(tmp_path / "r.dbf", rows), "payments_dbf")
        assert (err.code, err.line) == ("registry_amount_not_positive", 2)

    def test_a_future_date_is_refused(self, bank, tmp_path):
        rows = [ROWS[0], (date(2026, 4, 1), *ROWS[1][1:])]
        err = bank.refusal(write_dbf(tmp_path / "r.dbf", rows), "payments_dbf")
        assert (err.code, err.line, err.field) == ("registry_date_in_future", 2, "date")

    def test_a_windows_encoded_dbf_read_as_dos_is_refused(self, bank, tmp_path):
        data = write_dbf(tmp_path / "r.dbf", ROWS, codepage="cp1251")
        err = bank.refusal(data, "payments_dbf")
        assert (err.code, err.line, err.field) == ("registry_encoding", 1, "payer")

    def test_a_damaged_file_is_refused_not_crashed_on(self, bank, tmp_path):
        data = write_dbf(tmp_path / "r.dbf", ROWS)
        for damaged in (data[:20], data[:200], b"\x03" + b"\xff" * 200, b"not a dbf at all"):
            err = bank.refusal(damaged, "payments_dbf")
            assert err.code.startswith("registry_"), damaged

    def test_an_empty_file_is_refused(self, bank):
        assert bank.refusal(b"", "payments_dbf").code == "registry_empty"

    def test_a_table_without_records_is_refused(self, bank, tmp_path):
        err = bank.refusal(write_dbf(tmp_path / "r.dbf", []), "payments_dbf")
        assert err.code == "registry_empty"
