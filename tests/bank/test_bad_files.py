"""Bad files (issue 9 §9): each is refused as a whole with a Russian message naming the line
and the field — wrong encoding, truncated line, footer mismatch, negative or zero amount,
a date in the future, an amount with three decimals, an empty file, a 200 MB file."""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import pytest

from zhkh.adapters.bank import Limits, load_profile


def day_of_payments(bank, count: int = 20) -> list:
    return [bank.payment(n) for n in range(1, count + 1)]


def replace_line(data: bytes, number: int, old: str, new: str) -> bytes:
    lines = data.decode("cp1251").split("\r\n")
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return "\r\n".join(lines).encode("cp1251")


class TestWrongEncoding:
    def test_a_dos_file_given_as_windows_names_the_first_line_and_the_field(self, bank):
        text = bank.file(day_of_payments(bank, 3)).decode("cp1251")
        err = bank.refusal(text.encode("cp866"))
        assert (err.code, err.line, err.field) == ("registry_encoding", 1, "payer")
        assert "не в кодировке cp1251" in err.message
        assert err.message.startswith("строка 1, поле «плательщик»: знак «")

    def test_a_utf8_file_given_as_windows_is_refused(self, bank):
        text = bank.file(day_of_payments(bank, 3)).decode("cp1251")
        err = bank.refusal(text.encode("utf-8"))
        assert (err.code, err.line) == ("registry_encoding", 1)

    def test_a_windows_file_given_as_dos_is_refused(self, bank, tmp_path):
        dos = _profile_copy(tmp_path, "sberbank_classic", "dos_classic",
                            {"encoding: cp1251": "encoding: cp866"})
        err = bank.refusal(bank.file(day_of_payments(bank, 3)), dos)
        assert (err.code, err.line, err.field) == ("registry_encoding", 1, "payer")

    def test_a_windows_file_given_as_utf8_names_the_byte(self, bank, tmp_path):
        utf8 = _profile_copy(tmp_path, "sberbank_classic", "utf8_classic",
                             {"encoding: cp1251": "encoding: utf-8"})
        err = bank.refusal(bank.file(day_of_payments(bank, 3)), utf8)
        assert (err.code, err.line) == ("registry_encoding", 1)
        assert "не читается в кодировке utf-8" in err.message

    def test_the_same_file_in_utf8_with_a_byte_order_mark_is_read(self, bank, tmp_path):
        utf8 = _profile_copy(tmp_path, "sberbank_classic", "utf8_classic",
                             {"encoding: cp1251": "encoding: utf-8"})
        text = bank.file(day_of_payments(bank, 3)).decode("cp1251")
        registry = bank.parse(b"\xef\xbb\xbf" + text.encode("utf-8"), utf8)
        assert registry.lines[0].payer == "Иванов Иван Иванович"


class TestCutAndMismatchedFiles:
    def test_a_line_cut_in_the_middle_is_refused_with_its_number(self, bank):
        data = bank.file(day_of_payments(bank))
        cut = data[:data.index(b"\r\n", 1500) - 40]
        err = bank.refusal(cut)
        assert err.code == "registry_field_count"
        assert err.line == cut.count(b"\n") + 1
        assert "вместо 12 — строка обрезана" in err.message

    def test_a_footer_that_disagrees_shows_the_counts_and_sums_on_both_sides(self, bank):
        lines = [bank.payment(n, amount=38000) for n in range(1, 119)]
        lines.append(bank.payment(119, amount=76000))
        data = bank.file(lines).replace(b"=119;45600,00;", b"=120;45678,90;")
        err = bank.refusal(data)
        assert (err.code, err.line, err.field) == ("registry_footer_mismatch", 120,
                                                   "line_count")
        assert err.message == ("строка 120, поле «количество строк»: итоги не сходятся: "
                               "в итоговой строке 120 строк на 45 678,90 ₽, "
                               "в файле 119 строк на 45 600,00 ₽")

    def test_a_footer_with_the_right_count_but_another_sum_is_refused(self, bank):
        data = bank.file(day_of_payments(bank, 2)).replace(b"=2;8246,90;", b"=2;8246,91;")
        err = bank.refusal(data)
        assert (err.code, err.field) == ("registry_footer_mismatch", "amount_total")
        assert "в итоговой строке 2 строки на 8 246,91 ₽, в файле 2 строки на 8 246,90 ₽" in (
            err.message)


class TestAmountsAndDates:
    @pytest.mark.parametrize(("written", "what"), [("-4123,45", "отрицательная"),
                                                   ("0,00", "нулевая"), ("0", "нулевая")])
    def test_a_payment_of_zero_or_less_is_refused(self, bank, written, what):
        data = replace_line(bank.file(day_of_payments(bank)), 7, ";4123,45;", f";{written};")
        err = bank.refusal(data)
        assert (err.code, err.line, err.field) == ("registry_amount_not_positive", 7, "amount")
        assert err.message == f"строка 7, поле «сумма»: сумма платежа {what} — {written}"

    def test_a_payment_dated_after_today_is_refused(self, bank):
        data = replace_line(bank.file(day_of_payments(bank)), 12, "05-03-2026", "01-04-2026")
        err = bank.refusal(data)
        assert (err.code, err.line, err.field) == ("registry_date_in_future", 12, "date")
        assert err.message == ("строка 12, поле «дата»: дата 01.04.2026 ещё не наступила "
                               "(сегодня 31.03.2026)")

    def test_a_payment_order_dated_after_today_is_refused(self, bank):
        data = bank.file(day_of_payments(bank, 2))
        err = bank.refusal(data, today=date(2026, 3, 5))
        assert (err.code, err.line, err.field) == ("registry_date_in_future", 3, "order_date")

    def test_an_amount_with_three_decimals_is_refused_as_written(self, bank):
        lines = [*day_of_payments(bank, 16), bank.payment(17, amount=1234)]
        data = replace_line(bank.file(lines), 17, ";12,34;", ";12,345;")
        err = bank.refusal(data)
        assert (err.code, err.line, err.field) == ("registry_amount_precision", 17, "amount")
        assert err.message == "строка 17, поле «сумма»: три знака после запятой — 12,345"


class TestEmptyAndHugeFiles:
    def test_an_empty_file_is_refused(self, bank):
        err = bank.refusal(b"")
        assert (err.code, err.message) == ("registry_empty", "файл пуст")

    def test_a_file_of_blank_lines_is_refused(self, bank):
        err = bank.refusal(b"\r\n  \r\n\r\n")
        assert err.code == "registry_empty"

    def test_a_file_above_200_mb_is_refused_before_it_is_read(self, bank, tmp_path):
        path = tmp_path / "huge.txt"
        with path.open("wb") as f:  # sparse: no disk is spent
            f.truncate(200 * 1024 * 1024 + 1)
        started = time.perf_counter()
        err = bank.refusal(path)
        assert time.perf_counter() - started < 1.0
        assert err.code == "registry_too_large"
        assert err.message.startswith("файл больше 200 МБ")
        assert err.obj == "huge.txt"

    def test_an_upload_stream_above_the_limit_is_refused_without_reading_it(self, bank):
        class Unreadable(io.BytesIO):
            def read(self, *args):
                raise AssertionError("read before the size check")

        err = bank.refusal(Unreadable(b"x" * 2048), limits=Limits(max_bytes=1024))
        assert err.code == "registry_too_large"

    def test_a_stream_of_unknown_size_is_refused_once_it_passes_the_limit(self, bank):
        class Pipe(io.BytesIO):
            def seekable(self):
                return False

        data = bank.file(day_of_payments(bank, 50))
        err = bank.refusal(Pipe(data), limits=Limits(max_bytes=len(data) - 1))
        assert err.code == "registry_too_large"

    def test_a_line_without_an_end_is_not_read_past_the_limit(self, bank):
        err = bank.refusal(b"1" * 5000, limits=Limits(max_line_bytes=1000))
        assert (err.code, err.line) == ("registry_line_too_long", 1)

    def test_a_file_read_from_disk_gives_the_same_registry_as_its_bytes(self, bank, tmp_path):
        data = bank.file(day_of_payments(bank, 5))
        path = tmp_path / "реестр.txt"
        path.write_bytes(data)
        from_path = bank.parse(path)
        assert from_path.lines == bank.parse(data).lines
        assert from_path.content_hash == bank.parse(data).content_hash
        assert from_path.file_name == "реестр.txt"


def _profile_copy(folder: Path, name: str, new_name: str, changes: dict[str, str]):
    text = _profile_path(name).read_text(encoding="utf-8").replace(f"name: {name}",
                                                                   f"name: {new_name}")
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    path = folder / f"{new_name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path)


def _profile_path(name: str) -> Path:
    from importlib import resources

    return Path(str(resources.files("zhkh.adapters.bank") / "profiles" / f"{name}.yaml"))
