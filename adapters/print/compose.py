"""Lay out one page: layout blocks + a document's view → drawing operations.

Operations are plain tuples in PDF points (origin bottom-left), left-anchored, so a PDF
backend only draws them:

- ``("t", x, baseline, style, text)`` — a line of text;
- ``("l", x1, y1, x2, y2, stroke, color)`` — a line;
- ``("r", x, y, width, height, stroke, color, fill)`` — a rectangle (``stroke`` 0: no frame);
- ``("q", x, y, size, payload)`` — a QR code of ``payload`` in a ``size`` square.

:func:`static_ops` gives what is the same on every page of a layout page (drawn once per
file by a backend that can reuse it); :func:`page_ops` gives the rest for one document.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, cast

from zhkh.adapters.print.layout import MM, Block, Layout, LayoutError, MissingField, Style

Measure = Callable[[str, Style], float]
ASCENT = 0.78  # baseline below the top of a line, as a share of the font size


class Composer:
    """Turns the blocks of one layout into operations; ``measure`` gives text widths."""

    def __init__(self, layout: Layout, measure: Measure) -> None:
        self.layout = layout
        self.measure = measure

    def static_ops(self, page: str) -> list[tuple]:
        """Operations of the blocks that never change on ``page``."""
        ops: list[tuple] = []
        for block in self.layout.pages[page]:
            if block.static:
                self._block(block, block.x, block.y, {}, ops)
        return ops

    def page_ops(self, page: str, view: Mapping[str, Any]) -> list[tuple]:
        """Operations of the data-dependent blocks of ``page`` for one document's ``view``
        (a page that goes on to further sheets: its first sheet's)."""
        return self.sheets_ops(page, view)[0]

    def sheets_ops(self, page: str, view: Mapping[str, Any]) -> list[list[tuple]]:
        """The operations of each sheet ``page`` takes for ``view``: one sheet, or — for a
        page with ``continue:`` — as many as its content needs. A block that cannot fit
        even on a sheet of its own is a ``LayoutError``, never cut."""
        flow = self.layout.flows.get(page)
        sheets: list[list[tuple]] = [[]]
        bottoms: dict[str, float] = {}

        def next_sheet() -> tuple[list[tuple], float]:
            assert flow is not None
            ops: list[tuple] = []
            self._block(flow.head, flow.head.x, flow.head.y, view, ops)
            sheets.append(ops)
            for name in bottoms:  # what follows an earlier block starts at the new top
                bottoms[name] = flow.top
            return ops, flow.top

        for block in self.layout.pages[page]:
            if block.static:
                continue
            y = base = block.y
            if block.after:
                missing = [name for name in block.after if name not in bottoms]
                if missing:
                    raise LayoutError(f"макет {self.layout.name}, страница {page}: блок "
                                      f"after: {missing} — такого блока выше нет")
                base = max(bottoms[name] for name in block.after)
                y = base + block.gap
            if block.when and not block.when.holds(view):
                bottom = base  # a hidden block takes no room, not even its gap
            elif flow is not None and block.kind == "table":
                bottom = self._table(block, block.x, y, view, sheets[-1], next_sheet)
            else:
                ops: list[tuple] = []
                bottom = self._block(block, block.x, y, view, ops)
                if bottom > self.layout.bottom and flow is not None and block.after:
                    _, top = next_sheet()
                    ops = []
                    bottom = self._block(block, block.x, top, view, ops)
                sheets[-1].extend(ops)
            if bottom > self.layout.bottom:
                raise LayoutError(f"макет {self.layout.name}, страница {page}: блок "
                                  f"{block.id or block.kind} не помещается на странице")
            if block.id:
                bottoms[block.id] = bottom
        return sheets

    def _block(self, block: Block, x: float, y: float, values: Mapping[str, Any],
               ops: list[tuple]) -> float:
        o = block.options
        try:
            if block.kind == "text":
                return self._text(o["text"].fill(values), x, y, o, ops)
            if block.kind == "line":
                h, (dx, dy) = self.layout.height, o["to"]
                ops.append(("l", x, h - y, x + dx, h - y - dy, o["stroke"], o["color"]))
                return max(y, y + dy)
            if block.kind == "box":
                ops.append(("r", x, self.layout.height - y - o["height"], o["width"],
                            o["height"], o["stroke"], o["color"], o["fill"]))
                return y + o["height"]
            if block.kind == "qr":
                payload = o["value"].fill(values)
                if payload:
                    ops.append(("q", x, self.layout.height - y - o["size"], o["size"], payload))
                return y + o["size"]
            if block.kind == "table":
                return self._table(block, x, y, values, ops)
            return self._repeat(block, x, y, values, ops)
        except MissingField as error:
            raise LayoutError(f"макет {self.layout.name}: блок {block.id or block.kind} "
                              f"ссылается на поле «{error}», которого в документе нет") from None

    def _text(self, text: str, x: float, y: float, o: dict, ops: list[tuple]) -> float:
        style: Style = o["style"]
        lines = [text]
        if o["width"]:
            style = self.fitted(text, style, o["width"], o["lines"])
            if o["lines"] > 1:
                lines = self.wrap(text, style, o["width"], o["lines"])
        baseline = self.layout.height - y - style.size * ASCENT
        for line in lines:
            if line:
                ops.append(("t", self._anchor(line, style, x, o["width"], o["align"]),
                            baseline, style, line))
            baseline -= style.leading
        return y + style.leading * max(len(lines), 1)

    def _anchor(self, text: str, style: Style, x: float, width: float, align: str) -> float:
        if align == "left" or not width:
            return x
        free = width - self.measure(text, style)
        return x + (free if align == "right" else free / 2)

    def wrap(self, text: str, style: Style, width: float, max_lines: int) -> list[str]:
        """Greedy word wrap into at most ``max_lines`` lines; the last one ends with «…» when
        the text does not fit (a designer sees it and widens the column). A word wider than
        the column is never cut: use :meth:`fitted` first to shrink the style for it."""
        if self.measure(text, style) <= width or max_lines < 1:
            return [text]
        lines: list[str] = []
        current = ""
        words = text.split(" ")
        for i, word in enumerate(words):
            candidate = f"{current} {word}" if current else word
            if self.measure(candidate, style) <= width or not current:
                current = candidate
                continue
            lines.append(current)
            current = word
            if len(lines) == max_lines - 1:
                current = " ".join(words[i:])
                break
        lines.append(self._ellipsis(current, style, width))
        return lines

    def fitted(self, text: str, style: Style, width: float, max_lines: int) -> Style:
        """The style to print ``text`` in ``width``: on one line the whole text must fit,
        on several lines its longest word (a word is never cut)."""
        if max_lines <= 1:
            return self.shrink(text, style, width)
        return self.shrink(max(text.split(" "), key=lambda w: self.measure(w, style)),
                           style, width)

    def shrink(self, text: str, style: Style, width: float) -> Style:
        """``style``, or a smaller size of it so that one line of ``text`` fits ``width``:
        an amount is never cut, it is printed smaller (down to 5 pt)."""
        need = self.measure(text, style)
        if need <= width:
            return style
        size = max(5.0, style.size * width / need)
        return Style(style.font, size, style.color, style.leading * size / style.size)

    def _ellipsis(self, text: str, style: Style, width: float) -> str:
        if self.measure(text, style) <= width:
            return text
        while text and self.measure(text + "…", style) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def _limited(self, values: Mapping[str, Any], o: dict, limit: int, where: str,
                 what: str) -> list:
        """The items of the list ``o["source"]`` this block prints (from ``o["from"]``, at
        most ``limit``); more items than the layout holds is an error unless another block
        continues the list (``more``) — a document never silently drops a line."""
        name, start = o["source"], o.get("from", 0)
        items = _source(values, name)
        if len(items) > start + limit and not o.get("more"):
            raise LayoutError(f"макет {self.layout.name}: {where} {name} {len(items)} {what}, "
                              f"а макет вмещает {start + limit}")
        return items[start:start + limit]

    def _repeat(self, block: Block, x: float, y: float, values: Mapping[str, Any],
                ops: list[tuple]) -> float:
        o = block.options
        items = self._limited(values, o, o["max"], "в списке", "элементов")
        bottom = y
        for i, item in enumerate(items):
            # ChainMap writes only to its first map: values is never changed
            scope = ChainMap(item, cast("MutableMapping[str, Any]", values))
            ix, iy = x + i * o["step"][0], y + i * o["step"][1]
            for child in o["blocks"]:
                if child.when and not child.when.holds(scope):
                    continue
                bottom = max(bottom, self._block(child, ix + child.x, iy + child.y, scope, ops))
        return bottom

    def _table(self, block: Block, x: float, y: float, values: Mapping[str, Any],
               ops: list[tuple],
               next_sheet: Callable[[], tuple[list[tuple], float]] | None = None) -> float:
        """Draw a table from ``y``; returns its bottom. With ``next_sheet`` (a page that goes
        on) every row is drawn: when the next row (with the footer, for the last) does not
        fit, the table is closed, ``next_sheet`` gives the next sheet's operations and top,
        and the table goes on there under its header again."""
        o = block.options
        head_h, row_h = o["header_height"], o["row_height"]
        if next_sheet is None:
            rows = self._limited(values, o, o["max_rows"], "в таблице", "строк")
        else:
            rows = _source(values, o["source"])[o.get("from", 0):]
        footer = _source(values, o["footer"]) if o["footer"] else None
        titled = o["title_style"] is not None
        title_h = o["title_style"].leading + 1 * MM if titled else 0
        first_row = row_h * (1 + (footer is not None and len(rows) == 1))
        if next_sheet is not None and y + title_h + head_h + first_row > self.layout.bottom:
            ops, y = next_sheet()
        if titled:
            y = self._text(o["title"].fill(values), x, y,
                           {"style": o["title_style"], "width": 0, "lines": 1, "align": "left"},
                           ops) + 1 * MM
        top = y = self._table_head(o, x, y, ops)
        y += head_h
        h, total_w = self.layout.height, sum(c.width for c in o["columns"])
        for i, row in enumerate(rows):
            need = row_h * (1 + (footer is not None and i == len(rows) - 1))
            if next_sheet is not None and i and y + need > self.layout.bottom:
                self._table_frame(o, x, top, y, ops)
                ops, y = next_sheet()
                top = y = self._table_head(o, x, y, ops)
                y += head_h
            self._row([c.value for c in o["columns"]], row, x, y, row_h, o["style"],
                      o["columns"], ops)
            ops.append(("l", x, h - y, x + total_w, h - y, 0.3, o["grid"]))
            y += row_h
        if footer is not None:
            ops.append(("l", x, h - y, x + total_w, h - y, 0.8, o["grid"]))
            self._row([c.value for c in o["columns"]], footer, x, y, row_h, o["footer_style"],
                      o["columns"], ops)
            y += row_h
        self._table_frame(o, x, top, y, ops)
        return y

    def _table_head(self, o: dict, x: float, y: float, ops: list[tuple]) -> float:
        """The header band of a table at ``y``; returns ``y`` (the table's top)."""
        total_w = sum(c.width for c in o["columns"])
        head_h = o["header_height"]
        ops.append(("r", x, self.layout.height - y - head_h, total_w, head_h, 0, None,
                    o["fill"]))
        self._row([c.title for c in o["columns"]], {}, x, y, head_h, o["header_style"],
                  o["columns"], ops, center=True)
        return y

    def _table_frame(self, o: dict, x: float, top: float, y: float, ops: list[tuple]) -> None:
        """The column rules and the outer frame of a table (or of its part on one sheet)
        from ``top`` to ``y``."""
        h = self.layout.height
        widths = [c.width for c in o["columns"]]
        edge = x
        for w in widths[:-1]:
            edge += w
            ops.append(("l", edge, h - top, edge, h - y, 0.3, o["grid"]))
        ops.append(("r", x, h - y, sum(widths), y - top, 0.8, o["grid"], None))

    def _row(self, templates: list, values: Mapping[str, Any], x: float, y: float,
             height: float, style: Style, columns: tuple, ops: list[tuple], *,
             center: bool = False) -> None:
        pad = 1.2 * MM
        for template, column in zip(templates, columns, strict=True):
            text = template.fill(values)
            if text:
                inner = column.width - 2 * pad
                cell, lines = style, [text]
                if center:
                    lines = text.split("\n")
                else:
                    cell = self.fitted(text, style, inner, column.lines)
                    if column.lines > 1:
                        lines = self.wrap(text, cell, inner, column.lines)
                first = y + (height - cell.leading * len(lines)) / 2
                baseline = self.layout.height - first - cell.size * ASCENT - \
                    (cell.leading - cell.size) / 2
                align = "center" if center else column.align
                for line in lines:
                    ops.append(("t", self._anchor(line, cell, x + pad, inner, align),
                                baseline, cell, line))
                    baseline -= cell.leading
            x += column.width


def _source(values: Mapping[str, Any], name: str) -> Any:
    try:
        return values[name]
    except KeyError:
        raise MissingField(name) from None
