"""Fuzz the bank registry parser (``adapters/bank``) with atheris; not part of CI.

Every input must give a parsed registry or a ``RegistryError`` (a refusal naming line and
field): any other exception is a finding. The first byte picks the profile, the rest is the
file. Seeds: a registry of two payments rendered in each profile (written into an empty corpus
folder on the first run).

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_bank_registry.py -max_total_time=300 build/fuzz/bank
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["zhkh.adapters.bank"]):
    from zhkh.adapters.bank.errors import RegistryError
    from zhkh.adapters.bank.intake import read
    from zhkh.adapters.bank.profiles import ProfileError

PROFILES = ("sberbank_classic", "sberbank_tagged", "payments_dbf")
TODAY = date(2026, 10, 6)


def one_input(data: bytes) -> None:
    """One fuzz case: a profile and a file; only refusals of the parser are expected."""
    if not data:
        return
    profile = PROFILES[data[0] % len(PROFILES)]
    name = "reestr.dbf" if profile == "payments_dbf" else "reestr.txt"
    try:
        read(data[1:], file_name=name, profile=profile, today=TODAY)
    except (RegistryError, ProfileError):
        pass


def seed(corpus: Path) -> None:
    """Put a two-payment registry of each profile into an empty corpus folder."""
    if not corpus.exists() or any(corpus.iterdir()):
        return
    from datetime import time

    from zhkh.adapters.bank import FooterInput, RegistryLine, get_profile, render_registry
    from zhkh.kernel.period import Period

    lines = [RegistryLine(
        payment_date=date(2026, 10, 5), payment_time=time(10, 11, 12), account=f"100000{n}",
        amount=412345, commission=4123, amount_to_transfer=408222, operation_id=f"70000{n}",
        payer="Иванов Иван Иванович", address="г. Москва, ул. Ленина, д. 1, кв. 5",
        period=Period(2026, 9), branch="8618", cashier="0001") for n in (1, 2)]
    for i, profile in enumerate(PROFILES):
        data = render_registry(lines, get_profile(profile),
                               footer=FooterInput("417", date(2026, 10, 6)))
        (corpus / f"seed-{profile}").write_bytes(bytes([i]) + data)


if __name__ == "__main__":
    folders = [Path(a) for a in sys.argv[1:] if not a.startswith("-")]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        seed(folder)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
