"""Properties over generated files: a rendered registry reads back as the same payments, and
any bytes at all — random, or a good file damaged — give a registry or a RegistryError,
never another exception."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhkh.adapters.bank import (
    Profile,
    Reading,
    RegistryError,
    RegistryLine,
    get_profile,
    parse_registry,
    render_registry,
)
from zhkh.kernel.period import Period

TODAY = date(2026, 3, 31)
PROFILES = ("sberbank_classic", "sberbank_tagged", "payments_dbf")
LETTERS = "0123456789ABCXYZabcxyzАБВЁЖЯабвёжюя.,-/№"


def words(max_size: int) -> st.SearchStrategy[str]:
    """Text a bank writes in a field: no separator, no edge spaces, never empty."""
    word = st.text(alphabet=LETTERS, min_size=1, max_size=max(max_size // 2 - 1, 1))
    return st.lists(word, min_size=1, max_size=2).map(" ".join)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


@st.composite
def payments(draw, dbf_sized: bool = False) -> RegistryLine:
    amount_max = 10**11 - 1 if dbf_sized else 10**15
    return RegistryLine(
        payment_date=draw(st.dates(date(2020, 1, 1), TODAY)),
        payment_time=draw(optional(st.times().map(lambda t: t.replace(microsecond=0)))),
        account=draw(words(20)),
        amount=draw(st.integers(1, amount_max)),
        commission=draw(st.integers(0, 10**9 - 1)),
        amount_to_transfer=draw(optional(st.integers(0, amount_max))),
        operation_id=draw(optional(words(20))), payer=draw(optional(words(60))),
        address=draw(optional(words(100))),
        period=draw(optional(st.builds(Period, st.integers(2000, 2099), st.integers(1, 12)))),
        branch=draw(optional(words(10))), cashier=draw(optional(words(10))),
        document_number=draw(optional(words(20))), channel=draw(optional(words(10))),
        readings=tuple(draw(st.lists(st.builds(
            Reading, st.integers(1, 99).map(str),
            st.decimals(0, 10**8, places=3, allow_nan=False, allow_infinity=False)),
            max_size=3))))


def as_profile_keeps(line: RegistryLine, profile: Profile) -> RegistryLine:
    """The line with only what ``profile``'s layout carries (the rest at its default)."""
    defaults = RegistryLine(payment_date=line.payment_date, account="", amount=0)
    return line._replace(**{name: getattr(defaults, name) for name in line._fields
                            if name not in ("payment_date", "account", "amount")
                            and not profile.carries(_field_of(name))})


def _field_of(attribute: str) -> str:
    return {"payment_date": "date", "payment_time": "time"}.get(attribute, attribute)


@pytest.mark.parametrize("name", PROFILES)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_rendered_registry_reads_back_as_the_same_payments(name, data):
    profile = get_profile(name)
    lines = data.draw(st.lists(payments(dbf_sized=profile.kind == "dbf"), min_size=1,
                               max_size=5))
    expected = [as_profile_keeps(line, profile) for line in lines]
    registry = parse_registry(render_registry(lines, profile), profile, today=TODAY)
    assert [line._replace(line_number=0, raw="") for line in registry.lines] == expected
    assert registry.totals.line_count == len(lines)
    assert registry.totals.amount == sum(line.amount for line in expected)
    assert registry.totals.commission == sum(line.commission for line in expected)
    if registry.footer is not None:
        assert (registry.footer.line_count, registry.footer.amount) == (
            len(lines), registry.totals.amount)


def _accepts_or_refuses(data: bytes, profile: Profile) -> None:
    try:
        registry = parse_registry(data, profile, today=TODAY)
    except RegistryError as err:
        assert err.message and err.code.startswith("registry_")
    else:
        assert registry.lines and all(line.amount > 0 for line in registry.lines)


@pytest.mark.parametrize("name", PROFILES)
@given(data=st.binary(max_size=2000))
def test_random_bytes_give_a_registry_or_a_refusal(name, data):
    _accepts_or_refuses(data, get_profile(name))


@st.composite
def damaged(draw, good: bytes) -> bytes:
    """A good file with a few bytes changed, cut, inserted or lines swapped."""
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete", "repeat"]))
        if action == "flip" and data:
            data[where] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[where:]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[where:where + draw(st.integers(1, 16))]
        else:
            data[where:where] = data[where:where + draw(st.integers(1, 200))]
    return bytes(data)


_GOOD_LINES = [RegistryLine(date(2026, 3, 5), f"{1000000 + n}", 412345 + n, 4123, 408222 + n,
                            time(10, 11, 12), f"{700000 + n}", "Иванов Иван Иванович",
                            "г. Москва, ул. Ленина, д. 1", Period(2026, 2), "8618", "0001",
                            "55501", "card", (Reading("1", Decimal("12.5")),))
               for n in range(4)]


@pytest.mark.parametrize("name", PROFILES)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_good_file_gives_a_registry_or_a_refusal(name, data):
    profile = get_profile(name)
    good = render_registry(_GOOD_LINES, profile)
    _accepts_or_refuses(data.draw(damaged(good)), profile)
