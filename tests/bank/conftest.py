"""Helpers for bank-file tests (the ``bank`` fixture): a day of payments, the file a bank would
send, and catching a refusal."""

from __future__ import annotations

from datetime import date, time

import pytest

from zhkh.adapters.bank import (
    FooterInput,
    Profile,
    RegistryError,
    RegistryLine,
    get_profile,
    parse_registry,
    render_registry,
)
from zhkh.kernel.period import Period


class BankFiles:
    """What a billing center's operator deals with: payments, registry files, refusals."""

    today = date(2026, 3, 31)

    @staticmethod
    def payment(n: int = 1, **changes) -> RegistryLine:
        """A typical ЖКУ payment at a Sberbank branch; ``n`` varies account and operation."""
        line = RegistryLine(
            payment_date=date(2026, 3, 5), payment_time=time(10, 11, 12),
            account=f"{1000000 + n}", amount=412345, commission=4123,
            amount_to_transfer=408222, operation_id=f"{700000 + n}",
            payer="Иванов Иван Иванович", address="г. Москва, ул. Ленина, д. 1, кв. 5",
            period=Period(2026, 2), branch="8618", cashier="0001")
        return line._replace(**changes)

    @staticmethod
    def file(lines: list[RegistryLine], profile: str = "sberbank_classic") -> bytes:
        """The file a bank would send with ``lines``; footer computed, payment order 417."""
        return render_registry(lines, get_profile(profile),
                               footer=FooterInput("417", date(2026, 3, 6)))

    def parse(self, data: bytes, profile: str | Profile = "sberbank_classic", **kwargs):
        chosen = get_profile(profile) if isinstance(profile, str) else profile
        return parse_registry(data, chosen, today=kwargs.pop("today", self.today), **kwargs)

    def refusal(self, data, profile: str | Profile = "sberbank_classic",
                **kwargs) -> RegistryError:
        """The RegistryError the file gets (the test fails if the file is accepted)."""
        with pytest.raises(RegistryError) as err:
            self.parse(data, profile, **kwargs)
        return err.value

    @staticmethod
    def as_rendered(line: RegistryLine) -> RegistryLine:
        """The line as a renderer sees it: no line number, no raw text."""
        return line._replace(line_number=0, raw="")


@pytest.fixture
def bank() -> BankFiles:
    return BankFiles()
