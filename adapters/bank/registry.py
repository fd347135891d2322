"""Payment registries read: bytes + profile → checked lines, footer, totals, content hash.

Two ways in: :class:`RegistryReader` streams the lines (for a posting that copies them out as
they come), :func:`parse_registry` returns them all in a :class:`ParsedRegistry`. Both are
all-or-nothing: for any input bytes, the file is either accepted whole or refused with one
:class:`RegistryError` — never another exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .dbase import read_dbf
from .errors import RegistryError
from .lines import LineBuilder
from .model import Footer, Limits, ParsedRegistry, RegistryLine, RegistrySummary, Totals
from .profiles import Profile
from .source import Input, Source, open_source
from .text import TextReader
from .values import format_rubles, plural

DEFAULT_LIMITS = Limits()


class RegistryReader:
    """A payment registry read as a stream. Iterating gives each line once it is checked;
    after the last line the file-level checks run (a footer equal to the totals, at least one
    payment) and :attr:`summary` is set. A refusal may therefore come after lines were
    given out: consume them inside one transaction and roll back on :class:`RegistryError`.
    Iterate once.

    ``source`` is the content (bytes), a path, or a binary stream; a path or seekable stream
    above ``limits.max_bytes`` is refused before it is read. ``today`` is the last date a
    payment may carry.
    """

    def __init__(self, source: Source, profile: Profile, *, today: date,
                 file_name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
        if profile.purpose != "payments":
            raise ValueError(f"profile {profile.name} is not a payment registry layout")
        self.source, self.profile, self.today = source, profile, today
        self.file_name, self.limits = file_name, limits
        self.summary: RegistrySummary | None = None

    def __iter__(self) -> Iterator[RegistryLine]:
        profile = self.profile
        with open_source(self.source, self.limits, self.file_name) as data:
            builder = LineBuilder(profile, today=self.today, file_name=data.file_name,
                                  decimal_separator=profile.decimal_separator
                                  if profile.kind == "text" else ".")
            count = amount = commission = transfer = 0
            text = TextReader(profile, builder, self.limits.max_line_bytes)
            for line in self._lines(data, text, builder):
                count += 1
                amount += line.amount
                commission += line.commission
                transfer += line.amount_to_transfer or 0
                yield line
            totals = Totals(count, amount, commission,
                            transfer if profile.carries("amount_to_transfer") else None)
            self.summary = _checked(data, profile, builder, totals, text.footer)

    def _lines(self, data: Input, text: TextReader,
               builder: LineBuilder) -> Iterator[RegistryLine]:
        if self.profile.kind == "text":
            yield from text.lines(data.blocks())
            return
        with data.path() as path:
            if data.size:
                yield from read_dbf(path, self.profile, builder)


def parse_registry(source: Source, profile: Profile, *, today: date,
                   file_name: str | None = None,
                   limits: Limits = DEFAULT_LIMITS) -> ParsedRegistry:
    """Read a whole payment registry in ``profile``'s layout (see :class:`RegistryReader`).

    Refusals (:class:`RegistryError`, one per file, naming line and field): too large, empty,
    wrong encoding, wrong field count, unreadable value, amount ≤ 0 or with three decimals,
    date in the future, footer missing or not equal to the lines' totals.
    """
    reader = RegistryReader(source, profile, today=today, file_name=file_name, limits=limits)
    lines = tuple(reader)
    summary = reader.summary
    assert summary is not None
    return ParsedRegistry(profile=summary.profile, file_name=summary.file_name,
                          content_hash=summary.content_hash, size=summary.size, lines=lines,
                          totals=summary.totals, footer=summary.footer)


def _checked(data: Input, profile: Profile, builder: LineBuilder, totals: Totals,
             footer: Footer | None) -> RegistrySummary:
    if not totals.line_count and footer is None:
        raise RegistryError("registry_empty", "файл пуст" if not data.size else
                            "в файле нет ни одной строки", file_name=data.file_name)
    _check_footer(footer, totals, profile, builder)
    if not totals.line_count:
        raise RegistryError("registry_empty", "в файле нет ни одного платежа, только "
                            "итоговая строка", file_name=data.file_name)
    return RegistrySummary(profile=profile.name, file_name=data.file_name,
                           content_hash=data.digest, size=data.size, totals=totals,
                           footer=footer)


def _check_footer(footer: Footer | None, totals: Totals, profile: Profile,
                  builder: LineBuilder) -> None:
    spec = profile.footer
    if footer is None:
        if spec is not None and spec.required:
            raise builder.fail("registry_no_footer", f"нет итоговой строки «{spec.prefix}…» — "
                               "файл обрезан или это другой формат", None, None)
        return
    count_differs = footer.line_count is not None and footer.line_count != totals.line_count
    if count_differs or (footer.amount is not None and footer.amount != totals.amount):
        written = _count_and_sum(footer.line_count, footer.amount)
        counted = _count_and_sum(totals.line_count if footer.line_count is not None else None,
                                 totals.amount if footer.amount is not None else None)
        raise builder.fail("registry_footer_mismatch", f"итоги не сходятся: в итоговой строке "
                           f"{written}, в файле {counted}", footer.line_number,
                           "line_count" if count_differs else "amount_total")
    for name, written_sum, counted_sum in (
            ("transfer_total", footer.amount_to_transfer, totals.amount_to_transfer),
            ("commission_total", footer.commission, totals.commission)):
        if written_sum is not None and counted_sum is not None and written_sum != counted_sum:
            raise builder.fail("registry_footer_mismatch", f"в итоговой строке "
                               f"{format_rubles(written_sum)}, в файле "
                               f"{format_rubles(counted_sum)}", footer.line_number, name)


def _count_and_sum(count: int | None, amount: int | None) -> str:
    words = []
    if count is not None:
        words.append(f"{count} {plural(count, 'строка', 'строки', 'строк')}")
    if amount is not None:
        words.append(f"на {format_rubles(amount)}")
    return " ".join(words)
