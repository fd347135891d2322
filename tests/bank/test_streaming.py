"""A large registry is read as a stream: lines come out as they are checked, and the
file-level checks (footer, emptiness) follow the last line — so a posting that copies lines
out as they come must roll back on the refusal."""

from __future__ import annotations

import io
from datetime import date

import pytest

from zhkh.adapters.bank import RegistryError, RegistryReader, get_profile


def test_a_streamed_registry_gives_the_same_lines_and_summary_as_a_parsed_one(bank):
    data = bank.file([bank.payment(n, amount=100 + n) for n in range(1, 20001)])
    parsed = bank.parse(data)
    reader = RegistryReader(io.BytesIO(data), get_profile("sberbank_classic"),
                            today=bank.today)
    assert reader.summary is None
    assert tuple(reader) == parsed.lines
    assert reader.summary.totals == parsed.totals
    assert reader.summary.content_hash == parsed.content_hash
    assert reader.summary.totals.amount == sum(100 + n for n in range(1, 20001))


def test_a_footer_mismatch_is_raised_after_the_last_line_was_given_out(bank):
    data = bank.file([bank.payment(n) for n in range(1, 4)]).replace(b"=3;", b"=4;")
    reader = RegistryReader(data, get_profile("sberbank_classic"), today=bank.today)
    seen = []
    with pytest.raises(RegistryError) as err:
        for line in reader:
            seen.append(line.account)
    assert seen == ["1000001", "1000002", "1000003"]
    assert err.value.code == "registry_footer_mismatch"
    assert reader.summary is None


def test_a_bad_line_stops_the_stream_at_that_line(bank):
    data = bank.file([bank.payment(n) for n in range(1, 6)]).replace(
        b"05-03-2026;10-11-12;8618;0001;700004", b"05-03-2027;10-11-12;8618;0001;700004")
    reader = RegistryReader(data, get_profile("sberbank_classic"), today=date(2026, 3, 31))
    seen = []
    with pytest.raises(RegistryError) as err:
        for line in reader:
            seen.append(line.line_number)
    assert seen == [1, 2, 3]
    assert (err.value.line, err.value.code) == (4, "registry_date_in_future")
