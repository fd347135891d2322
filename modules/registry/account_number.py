"""Account numbers (номер лицевого счёта) with a Luhn check digit.

Scheme (documented for banks and portals that validate before sending a payment):

* a number is 6 to 20 decimal digits; the **last digit is the check digit**;
* the check digit is the Luhn (ISO/IEC 7812-1, mod 10) digit of the digits before it:
  from the rightmost body digit leftwards, every other digit starting with that one is
  doubled (minus 9 when above 9); the check digit makes the total a multiple of 10;
* Luhn catches every single-digit error and almost every swap of adjacent digits, the two
  mistakes a person makes when typing a number from a receipt.

Example: body ``000012345`` → check digit ``5`` → account ``0000123455``.
"""

from __future__ import annotations

MIN_LENGTH = 6
MAX_LENGTH = 20


class AccountNumberError(ValueError):
    """An account number that is malformed or has a wrong check digit."""


def luhn_digit(body: str) -> str:
    """The Luhn check digit for the decimal string ``body``."""
    if not body.isascii() or not body.isdigit():
        raise AccountNumberError(f"номер должен состоять из цифр, получено {body!r}")
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def make_account_number(serial: int, width: int = 10) -> str:
    """Account number of ``width`` digits for ``serial``: zero-padded body plus check digit."""
    body = str(serial).zfill(width - 1)
    if serial < 0 or len(body) != width - 1 or not MIN_LENGTH <= width <= MAX_LENGTH:
        raise AccountNumberError(f"номер {serial} не помещается в {width} цифр")
    return body + luhn_digit(body)


def validate_account_number(number: str) -> str:
    """Return ``number`` if it is a well-formed account number; raise naming what is wrong."""
    if not isinstance(number, str) or not number.isascii() or not number.isdigit():
        raise AccountNumberError(f"номер лицевого счёта должен состоять из цифр: {number!r}")
    if not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        raise AccountNumberError(
            f"номер лицевого счёта {number}: длина {len(number)}, "
            f"допустимо от {MIN_LENGTH} до {MAX_LENGTH} цифр")
    expected = luhn_digit(number[:-1])
    if number[-1] != expected:
        raise AccountNumberError(
            f"номер лицевого счёта {number}: неверная контрольная цифра "
            f"{number[-1]}, ожидалась {expected}")
    return number


def is_valid_account_number(number: str) -> bool:
    """True when ``number`` passes :func:`validate_account_number`."""
    try:
        validate_account_number(number)
    except AccountNumberError:
        return False
    return True
