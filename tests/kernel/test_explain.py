"""Explain texts: one pattern per method (``methods/*.base``) in the one formula of
``explain.py``, written by the compiled joiner — the exact texts ledger lines carry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.explain import texts
from zhkh.kernel.calc.methods import METHODS
from zhkh.kernel.calc.template import RowTemplate
from zhkh.kernel.formatting import join_texts_python

SOURCE = "ПП РФ №354, п. 42"
NB = "\u00a0"


def template(method: str, *, unit: str = "м³", base_unit: str = "м³", factor: int = 10**6,
             factor_unit: str = "", coef: int = 10**6, price: int = 48_720_000,
             norm: int = 0) -> RowTemplate:
    return RowTemplate(factor=factor, factor_unit=factor_unit, norm=norm, service="s",
                       component=None, zone=None, zone_pos=0, method=method,
                       kernel_method=METHODS[method].kernel, price=price, coef=coef,
                       rule_ids=(), source=SOURCE, unit=unit, base_unit=base_unit)


def text(t: RowTemplate, a=0, b=0, c=0, persons=0, volume=0, amount=0, days=(30, 30),
         parts=()) -> str:
    columns = [np.array([x], np.int64) for x in (a, b, c, persons, volume, amount, *days,
                                                 *parts)]
    (got,) = texts([t], np.zeros(1, np.int64), columns, np.array([days[0] != days[1]]))
    return got


@pytest.mark.parametrize(("t", "numbers", "expected"), [
    (template("meter"), dict(a=123_456_000, b=131_789_000, volume=8_333_000, amount=40598),
     f"(131,789 − 123,456) м³ = 8,333 м³ × 48,72 ₽/м³ = 405,98{NB}₽ ({SOURCE})"),
    (template("meter"), dict(a=99_998_500_000, b=3_250_000, c=100_000_000_000,
                             volume=4_750_000, amount=23142),
     f"(100{NB}000 − 99{NB}998,5 + 3,25) м³ (переход через ноль) = 4,75 м³ × 48,72 ₽/м³ = "
     f"231,42{NB}₽ ({SOURCE})"),
    (template("average"), dict(a=25_500_000, b=6, volume=4_250_000, amount=20706),
     f"25,5 м³ / 6 мес = 4,25 м³ × 48,72 ₽/м³ = 207,06{NB}₽ ({SOURCE})"),
    (template("norm", norm=4_900_000, coef=1_500_000, price=59_060_000),
     dict(persons=2, volume=6_533_333, amount=57879, days=(20, 30)),
     f"2 чел × 4,9 м³ × 20/30 дн. = 6,533333 м³ × 1,5 × 59,06 ₽/м³ = 578,79{NB}₽ ({SOURCE})"),
    (template("area", unit="м²", base_unit="м²", price=30_120_000),
     dict(a=54_300_000, volume=54_300_000, amount=163552),
     f"54,3 м² × 30,12 ₽/м² = 1{NB}635,52{NB}₽ ({SOURCE})"),
    (template("area", unit="м²", base_unit="м²", price=30_120_000),
     dict(a=54_300_000, volume=27_150_000, amount=81776, days=(15, 30)),
     f"54,3 м² × 15/30 дн. = 27,15 м² × 30,12 ₽/м² = 817,76{NB}₽ ({SOURCE})"),
    (template("area_norm", unit="Гкал", base_unit="м²", factor=18_700, factor_unit="Гкал/м²",
              price=2_385_550_000), dict(a=54_300_000, volume=1_015_410, amount=242231),
     f"54,3 м² × 0,0187 Гкал/м² = 1,01541 Гкал × 2{NB}385,55 ₽/Гкал = 2{NB}422,31{NB}₽ "
     f"({SOURCE})"),
    (template("house_share", unit="Гкал", base_unit="Гкал", price=2_385_550_000),
     dict(a=80_500_000, b=54_300_000, c=5_000_000_000, volume=874_230, amount=208553),
     f"80,5 Гкал × 54,3 м² / 5{NB}000 м² = 0,87423 Гкал × 2{NB}385,55 ₽/Гкал = "
     f"2{NB}085,53{NB}₽ ({SOURCE})"),
    (template("fixed", unit="мес", base_unit="мес", price=65_000_000),
     dict(a=1_000_000, volume=1_000_000, amount=6500),
     f"1 мес × 65 ₽/мес = 65,00{NB}₽ ({SOURCE})"),
    (template("derived", price=35_150_000),
     dict(volume=13_083_000, amount=45987, parts=(8_333_000, 4_750_000)),
     f"(8,333 + 4,75) м³ = 13,083 м³ × 35,15 ₽/м³ = 459,87{NB}₽ ({SOURCE})"),
    (template("derived", price=35_150_000),
     dict(volume=8_333_000, amount=29290, parts=(8_333_000, -(2**63))),
     f"(8,333) м³ = 8,333 м³ × 35,15 ₽/м³ = 292,90{NB}₽ ({SOURCE})"),
    # СОИ: (house − Σ individual) × area / total area; capped; by norm without a house meter
    (template("common_property", unit="м³", price=53_740_000),
     dict(a=13_885_000, b=54_300_000, c=3_120_400_000, volume=241_626, amount=1299,
          parts=(0, 412_000_000, 398_115_000, 78_010_000, 25_000, 3_120_400_000, 0)),
     f"(412 − 398,115) м³ × 54,3 м² / 3{NB}120,4 м² = 0,241626 м³ × 53,74 ₽/м³ = "
     f"12,99{NB}₽ ({SOURCE})"),
    (template("common_property", unit="кВт·ч", base_unit="кВт·ч", price=6_430_000),
     dict(volume=8_663_550, amount=5571,
          b=54_300_000, c=4_512_700_000,
          parts=(1, 12_800_000_000, 11_900_000_000, 720_000_000, 900_000, 800_000_000, 0)),
     f"min(12{NB}800 − 11{NB}900; 0,9 × 800 = 720) кВт·ч × 54,3 м² / 4{NB}512,7 м² = "
     f"8,66355 кВт·ч × 6,43 ₽/кВт·ч = 55,71{NB}₽ ({SOURCE})"),
    (template("common_property", unit="кВт·ч", base_unit="кВт·ч", price=6_430_000),
     dict(volume=8_663_550, amount=5571, b=54_300_000, c=4_512_700_000,
          parts=(8, 0, 0, 720_000_000, 900_000, 800_000_000, 0)),
     f"(0,9 × 800 м² общего имущества) кВт·ч × 54,3 м² / 4{NB}512,7 м² = "
     f"8,66355 кВт·ч × 6,43 ₽/кВт·ч = 55,71{NB}₽ ({SOURCE})"),
], ids=lambda x: x if isinstance(x, str) and len(x) < 20 else None)
def test_each_method_writes_its_formula(t, numbers, expected):
    assert text(t, **numbers) == expected


line = st.tuples(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12),
                 st.integers(0, 12), st.integers(0, 10**12), st.integers(-10**12, 10**12),
                 st.integers(1, 31))


@settings(max_examples=60)
@given(st.sampled_from([m for m in METHODS
                        if m not in ("derived", "common_property", "shared_meter")]),
       st.sampled_from([1_000_000, 1_500_000]), st.sampled_from([1_000_000, 4_850_000]),
       st.lists(line, max_size=12))
def test_many_lines_at_once_read_as_each_line_alone(method, coef, factor, rows):
    t = template(method, factor=factor, factor_unit="Гкал/м³", coef=coef, norm=4_850_000)
    expected = [text(t, a, b, c, persons, volume, amount, (days, 31))
                for a, b, c, persons, volume, amount, days in rows]
    columns = [np.array(col, np.int64) for col in zip(*rows, strict=True)] if rows \
        else [np.zeros(0, np.int64)] * 7
    days = columns[6]
    got = texts([template(method, factor=factor, factor_unit="Гкал/м³", coef=coef,
                          norm=4_850_000)], np.zeros(len(rows), np.int64),
                [*columns, np.full(len(rows), 31, np.int64)], days != 31)
    assert got == expected


piece = st.one_of(st.tuples(st.just("const"), st.text(max_size=8)),
                  st.tuples(st.sampled_from(["num", "rub", "int"]), st.integers(0, 2)))


@settings(max_examples=200)
@given(st.lists(piece, max_size=8),
       st.lists(st.tuples(*[st.integers(-2**63 + 1, 2**63 - 1)] * 3), max_size=6))
def test_compiled_texts_are_those_of_the_python_twin(pattern, rows):
    compiled = pytest.importorskip("zhkh.kernel._format")
    columns = [np.array(col, dtype=np.int64) for col in zip(*rows, strict=True)] if rows \
        else [np.zeros(0, dtype=np.int64)] * 3
    assert compiled.join_texts(pattern, columns, len(rows)) == \
        join_texts_python(pattern, columns, len(rows))
