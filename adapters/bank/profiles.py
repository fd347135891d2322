"""Declarative layouts of bank files (``profiles/*.yaml``) and their strict loader.

A profile is a YAML mapping; the loader refuses unknown keys, repeated keys, keys that do not
apply to the profile's kind, unknown field names and bad formats, naming the file and line.
Keys (``*`` = required):

- ``name*`` (the file's stem), ``title*`` (Russian), ``source*`` (where the layout comes from),
  ``purpose*``: ``payments`` (bank → us) or ``charges`` (us → bank), ``kind*``: ``text`` or
  ``dbf``, ``encoding*``: cp1251, cp866, koi8-r or utf-8;
- ``date_format``, ``time_format`` (strftime), ``period_format`` (one of
  :data:`~zhkh.adapters.bank.values.PERIOD_FORMATS`);
- text: ``separator*`` (one character), ``decimal_separator*`` (``,`` or ``.``),
  ``line_ending`` (``crlf`` or ``lf``, for writing), ``fields*`` (names by position; ``skip``
  for a column that is not read), ``footer`` (``prefix``, ``required``, ``fields``), ``tags``
  (``TAG: field`` for ``TAG:value`` parts after the positional fields, matched regardless of
  case) and ``reading_tag`` (prefix of ``<prefix><n>:<reading>`` parts);
- dbf: ``columns*``: a list of ``{field, column, type}`` with type ``C(n)``, ``N(n,d)`` or ``D``;
- charges: ``file_name*``, a template with ``{inn}``, ``{account}``, ``{sequence}``, ``{mmyy}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from zhkh.kernel.rulebook.yamlio import line_of, load_yaml
from zhkh.modules.errors import Invalid, NotFound

from .values import PERIOD_FORMATS

PAYMENT_FIELDS = frozenset({
    "date", "time", "branch", "cashier", "operation_id", "account", "payer", "address",
    "period", "amount", "amount_to_transfer", "commission", "document_number", "channel"})
CHARGE_FIELDS = frozenset({"account", "payer", "address", "period", "amount", "provider"})
FOOTER_FIELDS = frozenset({"line_count", "amount_total", "transfer_total", "commission_total",
                           "order_number", "order_date"})
REQUIRED_FIELDS = {"payments": ("date", "account", "amount"), "charges": ("account", "amount")}
ENCODINGS = ("cp1251", "cp866", "koi8-r", "utf-8")
DBF_ENCODINGS = ("cp866", "cp1251")  # the Russian code pages a DBF header can name
SKIP = "skip"

_COMMON = {"name", "title", "source", "purpose", "kind", "encoding", "date_format",
           "time_format", "period_format", "file_name"}
_KEYS = {"text": _COMMON | {"separator", "decimal_separator", "line_ending", "fields",
                            "footer", "tags", "reading_tag"},
         "dbf": _COMMON | {"columns"}}
_DBF_TYPE = re.compile(r"C\((\d{1,3})\)|N\((\d{1,2}),(\d)\)|D")


class ProfileError(Invalid):
    """A profile file that cannot be used; the message names the file, line and key."""


@dataclass(frozen=True, slots=True)
class FooterSpec:
    """The control line: starts with ``prefix``, then ``fields`` split by the separator."""

    prefix: str
    required: bool
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """A DBF column: which field it holds, its name in the file, its dBase type."""

    field: str
    column: str
    type: str  # "C", "N" or "D"
    length: int = 0
    decimals: int = 0

    @property
    def spec(self) -> str:
        """The column as the ``dbf`` library writes it (``SUMMA N(12,2)``)."""
        size = {"C": f"({self.length})", "N": f"({self.length},{self.decimals})", "D": ""}
        return f"{self.column} {self.type}{size[self.type]}"


@dataclass(frozen=True, slots=True)
class Profile:
    """One file layout. ``fields`` are positional (text); ``columns`` name DBF columns."""

    name: str
    title: str
    source: str
    purpose: str
    kind: str
    encoding: str
    date_format: str = "%d-%m-%Y"
    time_format: str = "%H-%M-%S"
    period_format: str = "MMYY"
    separator: str = ";"
    decimal_separator: str = ","
    line_ending: str = "\r\n"
    fields: tuple[str, ...] = ()
    footer: FooterSpec | None = None
    tags: dict[str, str] = field(default_factory=dict)  # tag as written → field
    reading_tag: str | None = None
    columns: tuple[Column, ...] = ()
    file_name: str | None = None

    def carries(self, name: str) -> bool:
        """Whether lines of this layout hold field ``name``."""
        return (name in self.fields or name in self.tags.values()
                or any(c.field == name for c in self.columns)
                or (name == "readings" and self.reading_tag is not None))


def load_profile(path: str | Path) -> Profile:
    """Read and check one profile file; raises :class:`ProfileError` naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError("bank_profile", f"профиль {path.name} не читается: {exc}",
                           obj=str(path)) from None
    data, issues = load_yaml(text)
    if issues:
        issue = issues[0]
        raise ProfileError("bank_profile", f"{path.name}:{issue.line}: {issue.message}",
                           obj=str(path))
    return _Reader(path, data).profile()


@cache
def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped with zhkh, by name (read once)."""
    folder = resources.files("zhkh.adapters.bank") / "profiles"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            profile = load_profile(Path(str(entry)))
            found[profile.name] = profile
    return found


def get_profile(name: str, purpose: str = "payments") -> Profile:
    """The shipped profile ``name`` of ``purpose``; NotFound lists the ones there are."""
    profiles = {n: p for n, p in builtin_profiles().items() if p.purpose == purpose}
    if name not in profiles:
        raise NotFound("registry_format_not_found", f"формат «{name}» не найден; есть: "
                       f"{', '.join(sorted(profiles))}", field="format")
    return profiles[name]


class _Reader:
    """Walks one profile's YAML data, refusing anything it does not know."""

    def __init__(self, path: Path, data: Any) -> None:
        self.path = path
        self.data = data

    def fail(self, key_path: tuple[Any, ...], message: str,
             at: tuple[Any, ...] | None = None) -> ProfileError:
        """The refusal at ``key_path`` (its line, or the line of ``at`` when given)."""
        line = line_of(self.data, key_path if at is None else at)
        where = f"{self.path.name}:{line}" if line else self.path.name
        key = ".".join(str(k) for k in key_path)
        return ProfileError("bank_profile", f"{where}: {key + ': ' if key else ''}{message}",
                            field=key or None, obj=str(self.path))

    def mapping(self, value: Any, key_path: tuple[Any, ...], allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key_path, "ожидался словарь ключ: значение")
        unknown = [k for k in value if k not in allowed]
        if unknown:
            raise self.fail(key_path, f"неизвестный ключ «{unknown[0]}»; допустимы: "
                            f"{', '.join(sorted(allowed))}", at=(*key_path, unknown[0]))
        return value

    def text(self, value: Any, key_path: tuple[Any, ...], choices=None) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key_path, "ожидалась непустая строка")
        if choices is not None and value not in choices:
            raise self.fail(key_path, f"«{value}» не допускается; допустимы: "
                            f"{', '.join(choices)}")
        return value

    def profile(self) -> Profile:
        d = self.data
        if not isinstance(d, dict):
            raise self.fail((), "профиль — словарь ключ: значение")
        kind = self.text(d.get("kind"), ("kind",), tuple(_KEYS))
        self.mapping(d, (), _KEYS[kind])
        for key in ("name", "title", "source", "purpose", "encoding"):
            if key not in d:
                raise self.fail((), f"нет обязательного ключа «{key}»")
        name = self.text(d["name"], ("name",))
        if name != self.path.stem:
            raise self.fail(("name",), f"имя «{name}» должно совпадать с именем файла "
                            f"«{self.path.stem}»")
        purpose = self.text(d["purpose"], ("purpose",), tuple(REQUIRED_FIELDS))
        options: dict[str, Any] = {k: self.text(d[k], (k,)) for k in ("title", "source")
                                   if k in d}
        options |= self.formats(d)
        options["encoding"] = self.text(d["encoding"], ("encoding",),
                                        ENCODINGS if kind == "text" else DBF_ENCODINGS)
        if kind == "text":
            options |= self.text_layout(d, purpose)
        else:
            options["columns"] = self.columns(d.get("columns"), purpose)
        if purpose == "charges":
            options["file_name"] = self.file_name(d.get("file_name"))
        elif "file_name" in d:
            raise self.fail(("file_name",), "имя файла задаётся только для реестра начислений")
        profile = Profile(name=name, purpose=purpose, kind=kind, **options)
        self.require_fields(profile)
        return profile

    def formats(self, d: dict) -> dict[str, str]:
        out = {}
        samples: dict[str, date | time] = {"date_format": date(2026, 12, 31),
                                           "time_format": time(23, 59, 58)}
        for key, sample in samples.items():
            if key in d:
                fmt = self.text(d[key], (key,))
                parse = datetime.strptime
                try:
                    back = parse(sample.strftime(fmt), fmt)
                    ok = (back.date() == sample if key == "date_format"
                          else back.time() == sample)
                except ValueError:
                    ok = False
                if not ok:
                    raise self.fail((key,), f"формат «{fmt}» не передаёт значение полностью")
                out[key] = fmt
        if "period_format" in d:
            out["period_format"] = self.text(d["period_format"], ("period_format",),
                                             PERIOD_FORMATS)
        return out

    def text_layout(self, d: dict, purpose: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        out["separator"] = self.text(d.get("separator"), ("separator",))
        if len(out["separator"]) != 1 or out["separator"].isalnum():
            raise self.fail(("separator",), "разделитель — один знак, не буква и не цифра")
        out["decimal_separator"] = self.text(d.get("decimal_separator"),
                                             ("decimal_separator",), (",", "."))
        if out["decimal_separator"] == out["separator"]:
            raise self.fail(("decimal_separator",), "совпадает с разделителем полей")
        if "line_ending" in d:
            ending = self.text(d["line_ending"], ("line_ending",), ("crlf", "lf"))
            out["line_ending"] = "\r\n" if ending == "crlf" else "\n"
        out["fields"] = self.names(d.get("fields"), ("fields",), _vocabulary(purpose))
        if d.get("footer") is not None:
            out["footer"] = self.footer(d["footer"], out["separator"])
        if purpose == "payments":
            out["tags"] = self.tags(d.get("tags") or {}, out["fields"])
            if "reading_tag" in d:
                out["reading_tag"] = self.text(d["reading_tag"], ("reading_tag",))
        elif "tags" in d or "reading_tag" in d:
            raise self.fail(("tags",), "теги бывают только в реестре платежей")
        return out

    def names(self, value: Any, key_path: tuple[Any, ...], allowed: frozenset) -> tuple:
        if not isinstance(value, list) or not value:
            raise self.fail(key_path, "ожидался непустой список полей")
        seen: set[str] = set()
        for i, item in enumerate(value):
            name = self.text(item, (*key_path, i))
            if name != SKIP and name not in allowed:
                raise self.fail((*key_path, i), f"неизвестное поле «{name}»; допустимы: "
                                f"{', '.join(sorted(allowed | {SKIP}))}")
            if name != SKIP and name in seen:
                raise self.fail((*key_path, i), f"поле «{name}» указано дважды")
            seen.add(name)
        return tuple(value)

    def footer(self, value: Any, separator: str) -> FooterSpec:
        spec = self.mapping(value, ("footer",), {"prefix", "required", "fields"})
        prefix = self.text(spec.get("prefix"), ("footer", "prefix"))
        if separator in prefix:
            raise self.fail(("footer", "prefix"), "содержит разделитель полей")
        required = spec.get("required", True)
        if not isinstance(required, bool):
            raise self.fail(("footer", "required"), "ожидалось true или false")
        fields = self.names(spec.get("fields"), ("footer", "fields"), FOOTER_FIELDS)
        return FooterSpec(prefix, required, fields)

    def tags(self, value: Any, positional: tuple[str, ...]) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(("tags",), "ожидался словарь ТЕГ: поле")
        out: dict[str, str] = {}
        for tag, name in value.items():
            self.text(name, ("tags", tag), tuple(sorted(PAYMENT_FIELDS | {SKIP})))
            if name != SKIP and (name in positional or name in out.values()):
                raise self.fail(("tags", tag), f"поле «{name}» уже задано")
            if str(tag).upper() in {t.upper() for t in out}:
                raise self.fail(("tags", tag), "тег уже задан (регистр букв не различается)")
            out[str(tag)] = name
        return out

    def columns(self, value: Any, purpose: str) -> tuple[Column, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(("columns",), "ожидался непустой список столбцов")
        out = []
        for i, item in enumerate(value):
            where = ("columns", i)
            spec = self.mapping(item, where, {"field", "column", "type"})
            name = self.text(spec.get("field"), (*where, "field"), tuple(sorted(
                _vocabulary(purpose))))
            column = self.text(spec.get("column"), (*where, "column"))
            if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,9}", column):
                raise self.fail((*where, "column"), "имя столбца DBF: до 10 заглавных "
                                "латинских букв, цифр и _")
            m = _DBF_TYPE.fullmatch(str(spec.get("type", "")))
            if not m:
                raise self.fail((*where, "type"), "тип столбца: C(n), N(n,d) или D")
            length = int(m.group(1) or m.group(2) or 0)
            out.append(Column(name, column, str(spec["type"])[0], length,
                              int(m.group(3) or 0)))
        for dup in {c.field for c in out if [x.field for x in out].count(c.field) > 1}:
            raise self.fail(("columns",), f"поле «{dup}» указано дважды")
        return tuple(out)

    def file_name(self, value: Any) -> str:
        template = self.text(value, ("file_name",))
        try:
            template.format(inn="0", account="0", sequence=1, mmyy="0")
        except (KeyError, IndexError, ValueError) as exc:
            raise self.fail(("file_name",), f"шаблон не читается: {exc}") from None
        return template

    def require_fields(self, profile: Profile) -> None:
        for name in REQUIRED_FIELDS[profile.purpose]:
            if not profile.carries(name):
                raise self.fail((), f"в формате нет обязательного поля «{name}»")


def _vocabulary(purpose: str) -> frozenset[str]:
    return PAYMENT_FIELDS if purpose == "payments" else CHARGE_FIELDS
