"""Bank files: payment registries in (bank → billing center) and the charges registry out
(billing center → bank). Pure functions over bytes; no database, no clock.

Layouts are data: ``profiles/*.yaml`` (see :mod:`.profiles` for the keys). Shipped:
``sberbank_classic`` (``;``, ``=`` footer), ``sberbank_tagged`` (``CLIENTNO:``,
``CounterVal_n:``), ``payments_dbf`` (dBase III, cp866) and ``sberbank_charges``.

Interface for the import service, CLI and API::

    profile = get_profile("sberbank_classic")           # NotFound lists the known names
    profile = load_profile(path)                         # a user's own layout; ProfileError
    registry = parse_registry(source, profile, today=date.today(),
                              file_name="reestr.txt", limits=Limits(max_bytes=200 << 20))
    registry.content_hash      # sha256 hex of the bytes: the file's identity (duplicates)
    registry.lines             # tuple[RegistryLine, ...], in file order
    registry.totals            # Totals(line_count, amount, commission, amount_to_transfer)
    registry.footer            # Footer as written, or None (DBF; optional footers)
    line.identity              # (operation_id, payment_date, amount): a re-exported line
    line.amount, line.commission, line.amount_to_transfer   # int kopecks
    line.account (as written), line.period (Period | None), line.readings ((counter, value))

    reader = RegistryReader(source, profile, today=..., file_name=...)   # the same, streamed:
    for line in reader: ...    # post inside one transaction; RegistryError → roll back
    reader.summary             # RegistrySummary(content_hash, size, totals, footer) at the end

    data = render_registry(lines, profile, footer=FooterInput(order_number, order_date))
    name, data = render_charges(rows, get_profile("sberbank_charges", "charges"),
                                inn=..., account=..., sequence=1, month=Period(2026, 3))

``source`` is bytes, a path, or a binary stream (an upload). A path or seekable stream larger
than ``limits.max_bytes`` is refused before reading; text is read in blocks of whole lines,
DBF through a temporary copy when it is not given as a path. ``today`` is the caller's: the
module reads no clock. Streaming 1 M lines costs ~70 MB; ``parse_registry`` holds them all
(~1.1 GB for 1 M lines with their raw text).

Not decided here (the import service's part): which account a line's ``account`` is, whether a
``content_hash`` or a line ``identity`` was posted before, what to do with ``readings``.
Wrong encodings are found by bytes the encoding cannot decode and by letters Russian text
never has; cp1251 and KOI8-R read as each other give plausible Cyrillic and are not caught.

Every refusal of a file is one :class:`RegistryError` (an ``Invalid``: the API maps it to
422) with ``code`` (``registry_footer_mismatch`` …), ``line`` (1-based, or None for the
file as a whole), ``field`` (profile field name), ``obj`` (the file name) and a Russian
``message``
(«строка 17, поле «сумма»: три знака после запятой — 12,345»). For any bytes,
``parse_registry`` returns or raises that — nothing else. A registry is all-or-nothing: the
caller posts every line of a returned registry or none.
"""

from .charges import ChargeRow, charges_file_name, render_charges
from .errors import RegistryError
from .model import (
    Footer,
    FooterInput,
    Limits,
    ParsedRegistry,
    Reading,
    RegistryLine,
    RegistrySummary,
    Totals,
)
from .profiles import Profile, ProfileError, builtin_profiles, get_profile, load_profile
from .registry import RegistryReader, parse_registry
from .render import render_registry

__all__ = [
    "ChargeRow",
    "Footer",
    "FooterInput",
    "Limits",
    "ParsedRegistry",
    "Profile",
    "ProfileError",
    "Reading",
    "RegistryError",
    "RegistryLine",
    "RegistryReader",
    "RegistrySummary",
    "Totals",
    "builtin_profiles",
    "charges_file_name",
    "get_profile",
    "load_profile",
    "parse_registry",
    "render_charges",
    "render_registry",
]
