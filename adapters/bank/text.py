"""Delimited text registries: lines of fields split by one character, optional ``TAG:value``
parts after the positional fields, and a control line starting with the footer prefix.

Reading streams: one line is decoded, split and checked at a time. A text encoding of eight
bits decodes any byte, so a file in another encoding shows as letters that Russian text never
has (cp866 read as cp1251 gives «€ў»; cp1251 read as cp866 gives box-drawing signs); such a
letter refuses the line. cp1251 and KOI8-R read as each other give real but shuffled Cyrillic
letters and cannot be told apart this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from operator import itemgetter

from .errors import RegistryError
from .lines import ORDER, LineBuilder
from .model import Footer, Reading, RegistryLine
from .profiles import SKIP, Profile
from .values import FOREIGN_CHAR, plural


def _lines(blocks: Iterable[bytes], profile: Profile, builder: LineBuilder,
           max_line: int) -> Iterator[tuple[int, str]]:
    """(line number, text without its line end) of each non-blank line."""
    encoding = profile.encoding
    check = encoding != "utf-8"
    number = 0
    for block in blocks:
        text = _decode(block, number, profile, builder)
        if check and (odd := FOREIGN_CHAR.search(text)):
            start = text.rfind("\n", 0, odd.start()) + 1
            field = _field_at(profile, text[start:odd.start()])
            raise builder.fail("registry_encoding", f"знак «{odd.group()}» не бывает в русском "
                               f"тексте — файл, похоже, не в кодировке {encoding}",
                               number + text.count("\n", 0, start) + 1, field)
        lines = text.split("\n")
        if not lines[-1]:
            lines.pop()
        for line in lines:
            number += 1
            if line[-1:] == "\r":
                line = line[:-1]
            if not line or line.isspace():
                continue
            if len(line) > max_line:
                raise builder.fail("registry_line_too_long", f"строка длиннее {max_line} "
                                   "знаков — это не реестр платежей", number, None)
            yield number, line


def _decode(block: bytes, lines_before: int, profile: Profile, builder: LineBuilder) -> str:
    try:
        text = block.decode(profile.encoding)
    except UnicodeDecodeError as exc:
        start = block.rfind(b"\n", 0, exc.start) + 1
        raise builder.fail("registry_encoding", f"байт {exc.start - start + 1} не читается в "
                           f"кодировке {profile.encoding} — файл в другой кодировке? Выберите "
                           "формат с нужной", lines_before + block.count(b"\n", 0, start) + 1,
                           None) from None
    if lines_before == 0 and text.startswith("\ufeff") and profile.encoding == "utf-8":
        text = text[1:]
    return text


class TextReader:
    """Reads the lines of one text registry; ``footer`` is its control line once read (None
    while not met, or when the file has none)."""

    def __init__(self, profile: Profile, builder: LineBuilder, max_line: int) -> None:
        self.max_line = max_line
        self.footer: Footer | None = None
        self.profile = profile
        self.builder = builder
        self.separator = profile.separator
        self.width = len(profile.fields)
        # Values in ORDER picked by one C call; a field the layout lacks reads the "" that
        # line() appends after the last field.
        where = {name: i for i, name in enumerate(profile.fields) if name != SKIP}
        self.pick = itemgetter(*(where.get(name, self.width) for name in ORDER))
        self.tagged = bool(profile.tags) or profile.reading_tag is not None
        self.reading_tag = (profile.reading_tag or "").upper()
        self.tag_fields = {tag.upper(): name for tag, name in profile.tags.items()}
        self.prefix = profile.footer.prefix if profile.footer else None

    def lines(self, blocks: Iterable[bytes]) -> Iterator[RegistryLine]:
        """The checked payment lines, read from blocks of whole lines."""
        builder, prefix, line = self.builder, self.prefix, self.line
        for number, text in _lines(blocks, self.profile, builder, self.max_line):
            if self.footer is not None:
                raise builder.fail("registry_after_footer", "после итоговой строки "
                                   f"{self.footer.line_number} есть ещё строки", number, None)
            if prefix is not None and text.startswith(prefix):
                self.footer = self.read_footer(number, text)
            else:
                yield line(number, text)

    def line(self, number: int, text: str) -> RegistryLine:
        parts = text.split(self.separator)
        rest: list[str] = []
        if self.tagged and len(parts) >= self.width:
            rest = parts[self.width:]
            del parts[self.width:]
        elif len(parts) == self.width + 1 and not parts[-1].strip():
            parts.pop()  # a separator closing the line
        if self.tagged and any(self._is_tag(part) for part in parts):
            parts = [part for part in parts if not self._is_tag(part)]
        if len(parts) != self.width:
            fields = plural(len(parts), "поле", "поля", "полей")
            raise self.builder.fail(
                "registry_field_count", f"{len(parts)} {fields} вместо {self.width} — "
                f"строка обрезана или в значении есть «{self.separator}»", number, None)
        parts.append("")
        if not rest:
            return self.builder.line(number, text, self.pick(parts))
        values = list(self.pick(parts))
        readings = self.tags(number, rest, values)
        return self.builder.line(number, text, values, readings)

    def _is_tag(self, part: str) -> bool:
        """Whether a positional field holds a ``TAG:`` part: the line lacks fields."""
        tag, colon, _ = part.partition(":")
        key = tag.strip().upper()
        return bool(colon) and (key in self.tag_fields or bool(
            self.reading_tag and key.startswith(self.reading_tag)))

    def tags(self, number: int, parts: list[str], values: list[str]) -> tuple[Reading, ...]:
        readings = []
        seen: set[str] = set()
        for part in parts:
            if not part.strip():
                continue
            tag, colon, value = part.partition(":")
            key = tag.strip().upper()
            if colon and self.reading_tag and key.startswith(self.reading_tag):
                readings.append(self.builder.reading(key[len(self.reading_tag):], value,
                                                     number, tag.strip()))
                continue
            name = self.tag_fields.get(key) if colon else None
            if name is None:
                raise self.builder.fail("registry_tag_unknown", f"«{part.strip()[:40]}» — "
                                        "неизвестный тег; добавьте его в формат (как skip), "
                                        "если банк пишет его законно", number, None)
            if key in seen:
                raise self.builder.fail("registry_tag_repeated", f"тег {tag.strip()} "
                                        "повторяется", number, name)
            seen.add(key)
            if name != SKIP:
                values[ORDER.index(name)] = value
        return tuple(readings)

    def read_footer(self, number: int, text: str) -> Footer:
        spec = self.profile.footer
        assert spec is not None
        parts = text[len(spec.prefix):].split(self.separator)
        if len(parts) == len(spec.fields) + 1 and not parts[-1].strip():
            parts.pop()
        if len(parts) != len(spec.fields):
            raise self.builder.fail("registry_field_count", f"в итоговой строке {len(parts)} "
                                    f"{plural(len(parts), 'поле', 'поля', 'полей')} вместо "
                                    f"{len(spec.fields)}", number, None)
        values = {name: parts[i] for i, name in enumerate(spec.fields) if name != SKIP}
        return self.builder.footer(number, text, values)


def _field_at(profile: Profile, before: str) -> str | None:
    """The field of a line in which the text ``before`` ends."""
    index = before.count(profile.separator)
    if index < len(profile.fields) and profile.fields[index] != SKIP:
        return profile.fields[index]
    return None


def render_text(rows: Iterable[dict[str, object]], profile: Profile,
                footer: dict[str, str] | None) -> bytes:
    """Encoded text of ``rows`` (field name → written value; ``"readings"`` → pairs of
    counter and written value) and of the footer, in the profile's layout. A value holding the
    separator or a line end, or a letter the encoding lacks, raises :class:`RegistryError`
    naming the row and the field."""
    sep = profile.separator
    out = bytearray()
    number = 0
    for number, row in enumerate(rows, 1):
        parts = [str(row.get(name, "")) for name in profile.fields]
        parts += [f"{tag}:{row[name]}" for tag, name in profile.tags.items() if row.get(name)]
        if profile.reading_tag:
            parts += [f"{profile.reading_tag}{counter}:{value}"
                      for counter, value in row.get("readings", ())]  # type: ignore[attr-defined]
        line = sep.join(parts)
        if line.count(sep) != len(parts) - 1 or "\n" in line or "\r" in line:
            _refuse_unwritable(row, profile, number)
        out += _encoded(line + profile.line_ending, profile.encoding, number)
    if footer is not None and profile.footer is not None:
        text = profile.footer.prefix + sep.join(footer.get(name, "")
                                                for name in profile.footer.fields)
        out += _encoded(text + profile.line_ending, profile.encoding, number + 1)
    return bytes(out)


def _refuse_unwritable(row: dict[str, object], profile: Profile, number: int) -> None:
    for name in (*profile.fields, *profile.tags.values()):
        text = str(row.get(name, ""))
        if profile.separator in text or "\n" in text or "\r" in text:
            raise RegistryError("registry_unwritable", f"значение «{text}» содержит "
                                "разделитель или конец строки", line=number, field=name)
    raise RegistryError("registry_unwritable", "показание содержит разделитель или конец "
                        "строки", line=number, field="readings")


def _encoded(text: str, encoding: str, number: int) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise RegistryError("registry_unencodable", f"знак «{exc.object[exc.start:exc.end]}» "
                            f"нельзя записать в кодировке {encoding}", line=number) from None
