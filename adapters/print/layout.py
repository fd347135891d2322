"""The declarative page layout of payment documents: load and check a YAML layout file.

A designer changes ``layouts/*.yaml`` — positions in millimetres from the top-left corner,
fonts, sizes, colours, the texts and the table columns — without touching Python. Texts are
templates with ``{field}`` placeholders filled from the document's view (``view.py`` lists
the fields); a block with ``when: field`` is drawn only when that field is non-empty. A
block may be placed ``after`` another one or several (``after: charges``,
``after: [a, b]``, ``gap: 4``; its ``at`` y is then ignored) to follow a table of varying
length. Block types: ``text``, ``line``, ``box``, ``table``, ``repeat`` (the same blocks
for each item of a list, shifted by ``step``) and ``qr``.

Conditions (``when:`` of a block, or of a page in ``documents:``) are a field name (printed
when the field is not empty) or a count: ``recipients>2``, ``recipients<=2`` (the length of a
list, or an integer field). A document kind lists its pages, each a name or
``{page: name, when: condition}``. A list too long for one page continues on another: a
``repeat`` or ``table`` takes items from ``from`` (default 0) up to ``max`` of them, and one
marked ``more: true`` leaves the rest to a block of the same ``source`` whose ``from`` starts
where it ends (checked when the layout loads); any other list longer than its block is an
error, never silently cut.

A page written as ``{continue: {top: мм, head: <text block>}, blocks: […]}`` goes on to as
many further sheets as its content needs: a table longer than the room left is split
between rows (its header repeated; its ``max_rows`` does not apply), any other block that
does not fit moves whole to the next sheet, which starts with ``head`` and resumes at
``top``. The back of the ЕПД is such a page: an account's lines are never too many to print.

Errors name the file, the page and the block, in Russian, and say what is expected.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

MM = 72 / 25.4  # PDF points per millimetre


class LayoutError(ValueError):
    """A layout file that cannot be used; the message says where and why."""


class MissingField(LookupError):
    """A template names a field the document's view does not have."""


@dataclass(frozen=True, slots=True)
class Style:
    font: str
    size: float
    color: tuple[float, float, float]
    leading: float  # points between baselines of wrapped lines


@dataclass(frozen=True, slots=True)
class Template:
    """A text with placeholders, split once so filling it is a join."""

    parts: tuple[tuple[str, str | None], ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for _, f in self.parts if f)

    def fill(self, values: Any) -> str:
        try:
            return "".join(lit + (str(values[f]) if f else "") for lit, f in self.parts)
        except KeyError as error:
            raise MissingField(str(error.args[0])) from None


@dataclass(frozen=True, slots=True)
class Column:
    title: Template
    value: Template
    width: float  # points
    align: str
    lines: int


@dataclass(frozen=True, slots=True)
class Condition:
    """``field`` (not empty) or ``field>n`` / ``field<=n`` (a list's length or a number)."""

    field: str
    op: str = ""
    n: int = 0

    def holds(self, values: Any) -> bool:
        value = values.get(self.field)
        if not self.op:
            return bool(value)
        count = len(value) if isinstance(value, list | tuple) else int(value or 0)
        return count > self.n if self.op == ">" else count <= self.n

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class PageRef:
    """A page of a document kind, printed when its condition holds (always without one)."""

    name: str
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a page; coordinates in points from the top-left of the page (or of the
    item for blocks inside ``repeat``)."""

    kind: str
    id: str | None
    x: float
    y: float
    after: tuple[str, ...]
    gap: float
    when: Condition | None
    options: dict[str, Any]

    @property
    def static(self) -> bool:
        """Drawn identically on every page: no data, no condition, no moving position."""
        if self.when or self.after or self.kind in ("repeat", "qr", "table"):
            return False
        text = self.options.get("text")
        return text is None or not text.fields


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    width: float
    height: float
    bottom: float  # the lowest y a block may reach
    fonts: dict[str, Path]
    styles: dict[str, Style]
    documents: dict[str, tuple[PageRef, ...]]
    pages: dict[str, tuple[Block, ...]]
    flows: dict[str, Flow] = field(default_factory=dict)
    """Pages that continue on further sheets (``continue:``), by page name."""


@dataclass(frozen=True, slots=True)
class Flow:
    """How a page goes on when its content does not fit: on a next sheet the ``head`` block
    (a text: «… (продолжение)») is drawn and the content resumes at ``top``; a table is split
    between rows and its header repeated, any other block moves whole."""

    top: float
    head: Block


def default_layout() -> Layout:
    """The shipped ЕПД layout (``layouts/epd.yaml``), with the shipped fonts."""
    return load_layout(Path(str(resources.files("zhkh.adapters.print") / "layouts" / "epd.yaml")))


def load_layout(path: Path) -> Layout:
    """Read and check a layout file; font files are looked up next to the package's fonts
    unless the layout names an absolute path."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LayoutError(f"макет {path.name}: не читается ({error})") from None
    where = _Where(path.name)
    if not isinstance(data, dict):
        raise where.error("ожидался словарь с разделами page, fonts, styles, documents, pages")
    page = where.dict(data, "page")
    fonts_dir = Path(str(resources.files("zhkh.adapters.print") / "fonts"))
    fonts = {key: (fonts_dir / str(name)) for key, name in where.dict(data, "fonts").items()}
    for key, file in fonts.items():
        if not file.is_file():
            raise where.error(f"шрифт {key}: файла {file.name} нет среди шрифтов пакета")
    styles = {name: _style(where.sub(f"стиль {name}"), spec, fonts)
              for name, spec in where.dict(data, "styles").items()}
    pages: dict[str, tuple[Block, ...]] = {}
    flows: dict[str, Flow] = {}
    for name, spec in where.dict(data, "pages").items():
        blocks = spec
        if isinstance(spec, dict):  # {continue: …, blocks: […]}
            blocks = spec.get("blocks")
            flows[name] = _flow(where.sub(f"страница {name}, continue"), spec.get("continue"),
                                styles)
        pages[name] = tuple(_block(where.sub(f"страница {name}, блок {i + 1}"), block, styles)
                            for i, block in enumerate(blocks or ()))
    documents = {}
    for kind, names in where.dict(data, "documents").items():
        refs = tuple(_page_ref(where.sub(f"документ {kind}"), item) for item in names or ())
        missing = [r.name for r in refs if r.name not in pages]
        if missing:
            raise where.error(f"документ {kind}: нет страниц {missing}")
        documents[kind] = refs
    _check_continued(where, pages)
    height = float(page.get("height", 297)) * MM
    return Layout(path.name, float(page.get("width", 210)) * MM, height,
                  height - float(page.get("margin_bottom", 8)) * MM, fonts, styles,
                  documents, pages, flows)


class _Where:
    def __init__(self, text: str) -> None:
        self.text = text

    def sub(self, text: str) -> _Where:
        return _Where(f"{self.text}, {text}")

    def error(self, message: str) -> LayoutError:
        return LayoutError(f"макет {self.text}: {message}")

    def dict(self, data: dict, key: str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.error(f"нет раздела «{key}» (ожидался словарь)")
        return value


def _style(where: _Where, spec: dict, fonts: dict[str, Path]) -> Style:
    font = spec.get("font", "regular")
    if font not in fonts:
        raise where.error(f"шрифт «{font}» не объявлен в разделе fonts")
    color = str(spec.get("color", "#000000")).lstrip("#")
    if len(color) != 6:
        raise where.error(f"цвет «{spec.get('color')}» нужно писать как #RRGGBB")
    rgb = tuple(int(color[i:i + 2], 16) / 255 for i in (0, 2, 4))
    size = float(spec.get("size", 10))
    return Style(font, size, rgb, float(spec.get("leading", size * 1.2)))  # type: ignore[arg-type]


def condition(where: _Where, text: object) -> Condition | None:
    """A ``when:`` condition: ``field``, ``field>n`` or ``field<=n``."""
    if text is None or text == "":
        return None
    parts = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:(>|<=)\s*(\d+))?\s*", str(text))
    if parts is None:
        raise where.error(f"условие «{text}»: ожидается поле, «поле>N» или «поле<=N»")
    return Condition(parts[1], parts[2] or "", int(parts[3] or 0))


def _page_ref(where: _Where, item: object) -> PageRef:
    if isinstance(item, str):
        return PageRef(item)
    if isinstance(item, dict) and isinstance(item.get("page"), str):
        return PageRef(item["page"], condition(where, item.get("when")))
    raise where.error(f"страница «{item}»: ожидается имя или {{page: имя, when: условие}}")


def _check_continued(where: _Where, pages: dict[str, tuple[Block, ...]]) -> None:
    """Every list a block leaves to another (``more: true``) is taken up where it ends."""
    windows = {(b.options["source"], b.options["from"])
               for blocks in pages.values() for b in blocks if "from" in b.options}
    for name, blocks in pages.items():
        for b in blocks:
            o = b.options
            end = o.get("from", 0) + o.get("max", o.get("max_rows", 0))
            if o.get("more") and (o["source"], end) not in windows:
                raise where.error(f"страница {name}: список {o['source']} продолжается "
                                  f"(more: true) с элемента {end + 1}, но блока с таким "
                                  "from нет")


def template(where: _Where, text: object) -> Template:
    """Split ``text`` into literal parts and ``{field}`` placeholders (no format specs)."""
    if not isinstance(text, str):
        raise where.error(f"текст должен быть строкой, получено {text!r}")
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise where.error(f"ошибка в шаблоне «{text}»: {error}") from None
    parts = []
    for literal, name, spec, conversion in parsed:
        if spec or conversion:
            raise where.error(f"в шаблоне «{text}» поле {{{name}}} без форматирования: "
                              "числа уже подготовлены")
        parts.append((literal, name or None))
    return Template(tuple(parts))


_KINDS = ("text", "line", "box", "table", "repeat", "qr")


def _block(where: _Where, spec: object, styles: dict[str, Style]) -> Block:
    if not isinstance(spec, dict) or spec.get("type") not in _KINDS:
        raise where.error(f"у блока должен быть type — один из {', '.join(_KINDS)}")
    kind = spec["type"]
    at = spec.get("at", [0, 0])
    if not (isinstance(at, list) and len(at) == 2):
        raise where.error("at: нужно [x, y] в миллиметрах")
    options: dict[str, Any] = {}
    style_name = spec.get("style", "body")
    if kind in ("text", "table") or "style" in spec:
        if style_name not in styles:
            raise where.error(f"стиль «{style_name}» не объявлен в разделе styles")
        options["style"] = styles[style_name]
    if kind == "text":
        options.update(text=template(where, spec.get("text")), width=_mm(spec, "width", 0),
                       align=_align(where, spec), lines=int(spec.get("lines", 1)))
    elif kind == "line":
        to = spec.get("to")
        if not (isinstance(to, list) and len(to) == 2):
            raise where.error("у линии нужно to: [x, y] в миллиметрах")
        options.update(to=((to[0] - at[0]) * MM, (to[1] - at[1]) * MM),  # relative to at
                       stroke=float(spec.get("stroke", 0.6)),
                       color=_color(where, spec.get("color", "#000000")))
    elif kind == "box":
        options.update(width=_mm(spec, "width", 0), height=_mm(spec, "height", 0),
                       stroke=float(spec.get("stroke", 0.6)),
                       color=_color(where, spec.get("color", "#000000")),
                       fill=_color(where, spec["fill"]) if spec.get("fill") else None)
    elif kind == "qr":
        options.update(value=template(where, spec.get("value")), size=_mm(spec, "size", 38))
    elif kind == "table":
        options.update(_table(where, spec, styles))
    elif kind == "repeat":
        step = spec.get("step", [0, 0])
        options.update(source=str(spec.get("source")), step=(step[0] * MM, step[1] * MM),
                       max=int(spec.get("max", 10)), **_window(spec),
                       blocks=tuple(_block(where.sub(f"вложенный {i + 1}"), child, styles)
                                    for i, child in enumerate(spec.get("blocks") or ())))
    after = spec.get("after") or ()
    after = (after,) if isinstance(after, str) else tuple(after)
    return Block(kind, spec.get("id"), at[0] * MM, at[1] * MM, after,
                 float(spec.get("gap", 0)) * MM, condition(where, spec.get("when")), options)


def _flow(where: _Where, spec: object, styles: dict[str, Style]) -> Flow:
    """``continue: {top: мм, head: <текстовый блок>}`` of a page."""
    if not isinstance(spec, dict) or not isinstance(spec.get("head"), dict):
        raise where.error("ожидается {top: мм, head: {type: text, …}} — с чего начинается "
                          "следующий лист")
    head = _block(where.sub("head"), spec["head"], styles)
    if head.kind != "text":
        raise where.error("head: ожидается текстовый блок (type: text)")
    return Flow(_mm(spec, "top", 20), head)


def _window(spec: dict) -> dict[str, Any]:
    return {"from": int(spec.get("from", 0)), "more": bool(spec.get("more", False))}


def _table(where: _Where, spec: dict, styles: dict[str, Style]) -> dict[str, Any]:
    columns = []
    for i, col in enumerate(spec.get("columns") or ()):
        w = where.sub(f"колонка {i + 1}")
        columns.append(Column(template(w, col.get("title", "")), template(w, col.get("value")),
                              _mm(col, "width", 20), _align(w, col), int(col.get("lines", 1))))
    if not columns:
        raise where.error("у таблицы нет колонок (columns)")
    head = spec.get("header_style", "head")
    foot = spec.get("footer_style", head)
    for name in (head, foot):
        if name not in styles:
            raise where.error(f"стиль «{name}» не объявлен в разделе styles")
    return {"source": str(spec.get("source")), "columns": tuple(columns),
            "header_style": styles[head], "footer_style": styles[foot],
            "footer": spec.get("footer"), "title": template(where, spec.get("title", "")),
            "title_style": styles[spec.get("title_style", "section")] if spec.get("title")
            else None,
            "header_height": _mm(spec, "header_height", 9), "row_height": _mm(spec, "row", 6),
            "max_rows": int(spec.get("max_rows", 30)), **_window(spec),
            "fill": _color(where, spec.get("header_fill", "#E8E8E8")),
            "grid": _color(where, spec.get("grid", "#808080"))}


def _mm(spec: dict, key: str, default: float) -> float:
    return float(spec.get(key, default)) * MM


def _align(where: _Where, spec: dict) -> str:
    align = spec.get("align", "left")
    if align not in ("left", "right", "center"):
        raise where.error(f"align: «{align}» — допустимо left, right, center")
    return align


def _color(where: _Where, value: object) -> tuple[float, float, float]:
    text = str(value).lstrip("#")
    if len(text) != 6:
        raise where.error(f"цвет «{value}» нужно писать как #RRGGBB")
    return tuple(int(text[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
