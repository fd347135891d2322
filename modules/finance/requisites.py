"""Bank requisites of payees (management companies, providers, the billing center itself):
ИНН, КПП, БИК, settlement and correspondent accounts.

Each ``validate_*`` returns the number without surrounding spaces, or raises
:class:`~zhkh.modules.errors.Invalid` whose ``code`` is stable (``inn_checksum``,
``account_key`` …), whose ``field`` is the caller's field name and whose Russian message
says what is wrong with the number.

ИНН check digits come from python-stdnum (``stdnum.ru.inn``). stdnum has nothing else for
Russia but ОГРН, so КПП and БИК (format only: neither has a check digit) and the account
control key are written here. The key follows the Bank of Russia's procedure: the
23-digit string "three digits taken from the БИК + the 20-digit account" is weighted
7, 1, 3, 7, 1, 3 …, the last digits of the products are summed, and the sum must end in 0.
For an account in a credit institution the three digits are the last three of the БИК;
for a correspondent account (kept at the Bank of Russia) they are "0" + БИК digits 5–6.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.ru import inn as stdnum_inn

from zhkh.modules.errors import Invalid

_KEY_WEIGHTS = (7, 1, 3)
_KPP = re.compile(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}")
_DIGITS = re.compile(r"[0-9]+")


def validate_inn(value: object, *, field: str = "inn", kind: str = "any") -> str:
    """A valid ИНН: 10 digits (organisation) or 12 (person, sole trader), check digits
    right. ``kind`` narrows it: ``"legal"`` (10 only), ``"person"`` (12 only), ``"any"``.
    """
    number = _text(value, field, "ИНН")
    lengths = {"any": (10, 12), "legal": (10,), "person": (12,)}[kind]
    if not _DIGITS.fullmatch(number):
        raise Invalid("inn_format", f"ИНН «{number}»: допустимы только цифры", field=field)
    if len(number) not in lengths:
        expected = {"any": "10 цифр у организации или 12 у физического лица и ИП",
                    "legal": "10 цифр (ИНН организации)",
                    "person": "12 цифр (ИНН физического лица или ИП)"}[kind]
        raise Invalid("inn_length", f"ИНН «{number}»: длина {len(number)}, а нужно {expected}",
                      field=field)
    try:
        stdnum_inn.validate(number)
    except InvalidChecksum:
        raise Invalid("inn_checksum", f"ИНН «{number}»: не сходится контрольная цифра — "
                      "вероятно, опечатка в номере", field=field) from None
    except (InvalidLength, ValidationError):  # unreachable after the checks above
        raise Invalid("inn_format", f"ИНН «{number}» не распознан", field=field) from None
    return number


def validate_kpp(value: object, *, field: str = "kpp") -> str:
    """A КПП of the form NNNN PP NNN: 4 digits of the tax office, 2 digits or capital Latin
    letters of the reason, 3 digits. КПП has no check digit, so only the form is checked.
    """
    number = _text(value, field, "КПП")
    if len(number) != 9:
        raise Invalid("kpp_length", f"КПП «{number}»: длина {len(number)}, а нужно 9 знаков",
                      field=field)
    if not _KPP.fullmatch(number):
        raise Invalid("kpp_format", f"КПП «{number}»: первые 4 и последние 3 знака — цифры, "
                      "5-й и 6-й — цифры или заглавные латинские буквы", field=field)
    return number


def validate_bik(value: object, *, field: str = "bik") -> str:
    """A БИК: exactly 9 digits (it has no check digit)."""
    number = _text(value, field, "БИК")
    if not _DIGITS.fullmatch(number):
        raise Invalid("bik_format", f"БИК «{number}»: допустимы только цифры", field=field)
    if len(number) != 9:
        raise Invalid("bik_length", f"БИК «{number}»: длина {len(number)}, а нужно 9 цифр",
                      field=field)
    return number


def validate_settlement_account(value: object, bik: str, *, field: str = "account") -> str:
    """A settlement account (расчётный счёт) of 20 digits whose control key agrees with the
    bank's БИК (its last three digits). ``bik`` must already be a valid БИК.
    """
    return _validate_account(value, bik, field, correspondent=False)


def validate_correspondent_account(value: object, bik: str, *,
                                   field: str = "correspondent_account") -> str:
    """A correspondent account (корреспондентский счёт) of 20 digits whose control key
    agrees with "0" + digits 5–6 of the bank's БИК. ``bik`` must already be a valid БИК.
    """
    return _validate_account(value, bik, field, correspondent=True)


def account_key(account: str, bik: str, *, correspondent: bool = False) -> int:
    """The control key (the 9th digit) a 20-digit ``account`` must have at bank ``bik``;
    the account's own 9th digit is ignored. Both arguments are digit strings.
    """
    body = _key_prefix(bik, correspondent) + account[:8] + "0" + account[9:]
    total = sum(int(d) * _KEY_WEIGHTS[i % 3] % 10 for i, d in enumerate(body))
    return total % 10 * 3 % 10


def _validate_account(value: object, bik: str, field: str, *, correspondent: bool) -> str:
    what = "корреспондентский счёт" if correspondent else "расчётный счёт"
    number = _text(value, field, what)
    if not _DIGITS.fullmatch(number):
        raise Invalid("account_format", f"{what} «{number}»: допустимы только цифры",
                      field=field)
    if len(number) != 20:
        raise Invalid("account_length", f"{what} «{number}»: длина {len(number)}, а нужно 20 цифр",
                      field=field)
    if account_key(number, bik, correspondent=correspondent) != int(number[8]):
        raise Invalid("account_key", f"{what} «{number}» не сходится с БИК {bik} по "
                      "контрольному ключу — опечатка в счёте или в БИК", field=field)
    return number


def _key_prefix(bik: str, correspondent: bool) -> str:
    return "0" + bik[4:6] if correspondent else bik[-3:]


def _text(value: object, field: str, what: str) -> str:
    if not isinstance(value, str):
        raise Invalid("requisite_type", f"{what}: ожидалась строка цифр, получено {value!r}",
                      field=field)
    text = value.strip()
    if not text:
        raise Invalid("field_required", f"{what} не указан", field=field)
    return text
