"""Server-side SVG charts for the pages: bars and lines, inline in the HTML, no script.

Made with pygal (pure Python, renders an SVG string in milliseconds; its tooltips need a
script from the internet, so that script is switched off — the values are in the table
beside every chart anyway). The SVG is returned as ``Markup`` to put straight into a template:
``{{ chart }}``.

    from zhkh.api.web.charts import Series, bar_chart
    chart = bar_chart("Начислено и оплачено", ["2026-09", "2026-10"],
                      [Series("Начислено", [120000, 130000]), Series("Оплачено", [...])],
                      money=True)

Labels that look like periods (``2026-10``) are shown as «окт 2026»; money series are given
in kopecks and labelled in roubles (``1 234,56 ₽``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from markupsafe import Markup
from pygal.style import Style

from zhkh.api.web.format import money, volume

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
SHORT_MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя",
                "дек")

STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground="#1d232a",
    foreground_strong="#1d232a", foreground_subtle="#8a96a0",
    colors=("#0b5cad", "#e07b00", "#1b6e3a", "#a4161a", "#6a3d9a", "#5b6670"),
    font_family="DejaVu Sans, Arial, sans-serif", label_font_size=12,
    major_label_font_size=12, legend_font_size=12, title_font_size=14,
    value_font_size=11, tooltip_font_size=12,
)


@dataclass(frozen=True)
class Series:
    """One series of a chart: its name and a value per label (None = no value)."""

    name: str
    values: Sequence[int | float | None]


def _label(text: str) -> str:
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        month = int(text[5:])
        if 1 <= month <= 12:
            return f"{SHORT_MONTHS[month - 1]} {text[:4]}"
    return text


def _config(chart: pygal.graph.graph.Graph, title: str, labels: Sequence[str], *,
            money_values: bool, unit: str) -> None:
    chart.title = title
    chart.x_labels = [_label(x) for x in labels]
    if money_values:
        chart.value_formatter = lambda v: "" if v is None else money(int(v))
    elif unit:
        chart.value_formatter = lambda v: "" if v is None else f"{volume(v)} {unit}"


def _render(chart: pygal.graph.graph.Graph, series: Sequence[Series]) -> Markup:
    for one in series:
        chart.add(one.name, list(one.values))
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))  # pygal's tooltip config: unused
    return Markup(svg)  # pygal escapes every label and title it writes


def _common(width: int, height: int) -> dict[str, object]:
    return {"style": STYLE, "width": width, "height": height, "js": [],  # no remote script
            "disable_xml_declaration": True, "legend_at_bottom": True,
            "legend_at_bottom_columns": 4, "show_minor_x_labels": True,
            "x_label_rotation": 0, "truncate_legend": -1, "print_values": False,
            "margin": 8, "explicit_size": False, "no_data_text": "Нет данных"}


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
              money_values: bool = False, unit: str = "", width: int = 800,
              height: int = 320) -> Markup:
    """A bar chart (series side by side per label) as inline SVG."""
    chart = pygal.Bar(**_common(width, height))
    _config(chart, title, labels, money_values=money_values, unit=unit)
    return _render(chart, series)


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
               money_values: bool = False, unit: str = "", width: int = 800,
               height: int = 320) -> Markup:
    """A line chart (one line per series) as inline SVG."""
    chart = pygal.Line(**_common(width, height), dots_size=3)
    _config(chart, title, labels, money_values=money_values, unit=unit)
    return _render(chart, series)
