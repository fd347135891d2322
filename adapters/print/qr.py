"""The payment QR payload of ГОСТ Р 56042-2014 for a payment document, and its parser.

Format: the service block ``ST0001`` + encoding digit (``2`` = UTF-8) + separator, then
``Key=Value`` pairs joined by the separator: the five mandatory requisites first, in the
standard's order (Name, PersonalAcc, BankName, BIC, CorrespAcc), then PayeeINN, KPP,
PersAcc, Sum (kopecks), PaymPeriod (``MMYYYY``), PayerAddress, Purpose, TechCode=02
(коммунальные услуги). The payload is a ``str``; the QR carries its UTF-8 bytes.

**Separator.** Always ``|`` (the header ``ST00012|`` every banking app reads); the standard
has no escape, so a value must not contain it:

- in the requisites that route the money (Name, BankName, and the account, БИК, ИНН, КПП,
  ЛС and sum, whose formats exclude it anyway) a ``|`` or a line break is **refused**
  (:class:`QrError`): silently changing the payee's name is worse than not printing;
- in the free-text fields (PayerAddress, Purpose) it is **replaced by «/»** and line breaks
  by a space: they only describe the payment, and an address typed as «д. 5|1» reads the
  same as «д. 5/1».

**Limits** (refused with :class:`QrError`, never cut): Name ≤ 160, BankName ≤ 45,
Purpose ≤ 160, PayerAddress ≤ 160 (ours: keeps the code small enough to scan), PersAcc
≤ 30, Sum 1–18 digits; PersonalAcc and CorrespAcc ``[1-9]\\d{4}[0-9ABCEHKMPTX]\\d{14}``, BIC
9 digits, PayeeINN 10 or 12 digits, KPP 9 characters; the mandatory block (from ``Name=`` to
the end of CorrespAcc) ≤ 300 bytes in UTF-8.

**One code per settlement account**: recipients sharing a bank account get one code for
their sum; with a single account the document has one code for the whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhkh.modules.documents.schemas import PaymentDocument, Recipient

HEADER = "ST0001"
SEPARATOR = "|"
ENCODINGS = {"1": "cp1251", "2": "utf-8", "3": "koi8-r"}
MANDATORY = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
KNOWN_KEYS = (*MANDATORY, "Sum", "Purpose", "PayeeINN", "PayerINN", "DrawerStatus", "KPP", "CBC",
              "OKTMO", "PaytReason", "TaxPeriod", "DocNo", "DocDate", "TaxPaytKind",
              "LastName", "FirstName", "MiddleName", "PayerAddress", "PersonalAccount",
              "DocIdx", "PensAcc", "Contract", "PersAcc", "Flat", "Phone", "PayerIdType",
              "PayerIdNum", "ChildFio", "BirthDate", "PaymTerm", "PaymPeriod", "Category",
              "ServiceName", "CounterId", "CounterVal", "QuittId", "QuittDate", "InstNum",
              "ClassNum", "SpecFio", "AddAmount", "RuleId", "ExecId", "RegType", "UIN",
              "TechCode")
_CANONICAL = {key.lower(): key for key in KNOWN_KEYS}
TECH_CODE_HOUSING = "02"
MANDATORY_MAX_BYTES = 300

_ACCOUNT = r"[1-9]\d{4}[0-9ABCEHKMPTX]\d{14}"
_RULES: dict[str, tuple[str, str]] = {  # key → (pattern, what the pattern demands, in Russian)
    "PersonalAcc": (_ACCOUNT, "20 знаков счёта"),
    "CorrespAcc": (_ACCOUNT + "|0", "20 знаков счёта или «0»"),
    "BIC": (r"\d{9}", "9 цифр"),
    "PayeeINN": (r"\d{10}|\d{12}", "10 или 12 цифр"),
    "KPP": (r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}", "9 знаков"),
    "Sum": (r"\d{1,18}", "от 1 до 18 цифр (копейки)"),
    "PersAcc": (r"[^|\r\n]{1,30}", "от 1 до 30 знаков"),
    "PaymPeriod": (r"(0[1-9]|1[0-2])\d{4}", "ММГГГГ"),
    "TechCode": (r"0[1-9]|1[0-5]", "код от 01 до 15"),
}
_MAX_LENGTH = {"Name": 160, "BankName": 45, "Purpose": 160, "PayerAddress": 160}
_FREE_TEXT = ("PayerAddress", "Purpose")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
TITLES = {"Name": "наименование получателя", "PersonalAcc": "расчётный счёт получателя",
          "BankName": "наименование банка", "BIC": "БИК", "CorrespAcc": "корр. счёт банка",
          "PayeeINN": "ИНН получателя", "KPP": "КПП получателя", "PersAcc": "лицевой счёт",
          "Sum": "сумма", "PaymPeriod": "период оплаты", "PayerAddress": "адрес плательщика",
          "Purpose": "назначение платежа", "TechCode": "технический код"}


class QrError(ValueError):
    """A payload the standard does not allow; the message (Russian) names the field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"QR-код (ГОСТ Р 56042-2014), поле {key} "
                         f"({TITLES.get(key, key)}): {message}")
        self.key = key


@dataclass(frozen=True, slots=True)
class QrPayment:
    """One code of a document: the recipients it pays and its payload."""

    recipients: tuple[str, ...]
    sum_kopecks: int
    payload: str


def build_payload(fields: dict[str, str]) -> str:
    """``ST00012|Key=Value|…`` from requisites in the standard's order.

    ``fields`` must hold the five mandatory keys; the others are written in the order given
    after them. Free-text values are cleaned (see the module docstring); everything else is
    refused with :class:`QrError` when it breaks a rule — nothing is cut or guessed.
    """
    for key in MANDATORY:
        if not fields.get(key):
            raise QrError(key, "обязательный реквизит не заполнен")
    pairs = [(key, _checked(key, fields[key])) for key in MANDATORY]
    pairs += [(key, _checked(key, value)) for key, value in fields.items()
              if key not in MANDATORY and value != ""]
    mandatory = SEPARATOR.join(f"{k}={v}" for k, v in pairs[:len(MANDATORY)])
    size = len(mandatory.encode("utf-8"))
    if size > MANDATORY_MAX_BYTES:
        raise QrError("Name", f"обязательные реквизиты занимают {size} байт, а допустимо не "
                              f"более {MANDATORY_MAX_BYTES}: сократите наименование получателя "
                              "или банка")
    return HEADER + "2" + SEPARATOR + SEPARATOR.join(f"{k}={v}" for k, v in pairs)


def document_payments(document: PaymentDocument) -> tuple[QrPayment, ...]:
    """The codes a document prints: one per distinct settlement account (БИК + счёт), in the
    order of the recipients, each with the sum of its recipients' ``to_pay``.

    Recipients sharing an account must be one payee (same name, ИНН, КПП), else refused.
    """
    groups: dict[tuple[str, str], list[Recipient]] = {}
    for recipient in document.recipients:
        groups.setdefault((recipient.bik, recipient.settlement_account), []).append(recipient)
    payments = []
    for members in groups.values():
        first = members[0]
        for other in members[1:]:
            if (other.name, other.inn, other.kpp) != (first.name, first.inn, first.kpp):
                raise QrError("PersonalAcc", f"у получателей «{first.name}» и «{other.name}» "
                                             "один расчётный счёт, но разные реквизиты")
        total = sum(r.to_pay for r in members)
        payload = build_payload(_fields(document, first, total))
        payments.append(QrPayment(tuple(r.id for r in members), total, payload))
    return tuple(payments)


def _fields(document: PaymentDocument, payee: Recipient, total: int) -> dict[str, str]:
    year, month = document.period.split("-")
    fields = {"Name": payee.name, "PersonalAcc": payee.settlement_account,
              "BankName": payee.bank_name, "BIC": payee.bik,
              "CorrespAcc": payee.correspondent_account, "PayeeINN": payee.inn,
              "KPP": payee.kpp or "", "PersAcc": document.account,
              "Sum": str(total) if total > 0 else "",  # no sum: the payer types the amount
              "PaymPeriod": month + year, "PayerAddress": document.premises.address,
              "Purpose": f"Оплата по ЕПД за {month}.{year}, ЛС {document.account}",
              "TechCode": TECH_CODE_HOUSING}
    return fields


def _checked(key: str, value: str) -> str:
    if key in _FREE_TEXT:
        value = _LINE_BREAKS.sub(" ", value).replace(SEPARATOR, "/").strip()
    elif SEPARATOR in value or _LINE_BREAKS.search(value):
        raise QrError(key, f"значение «{value}» содержит разделитель «{SEPARATOR}» или "
                           "перенос строки; исправьте реквизит в справочнике")
    if key in _RULES:
        pattern, demand = _RULES[key]
        if not re.fullmatch(pattern, value):
            raise QrError(key, f"значение «{value}» не подходит: нужно {demand}")
    limit = _MAX_LENGTH.get(key)
    if limit is not None and len(value) > limit:
        raise QrError(key, f"длина {len(value)} знаков, а допустимо не более {limit}")
    return value


def parse_payload(data: bytes | str) -> dict[str, str]:
    """Read a payload by the standard's rules: header ``ST0001``, encoding digit, the
    separator after it, ``Key=Value`` pairs split at the first ``=``, keys matched without
    regard to case (``persAcc`` → ``PersAcc``), the mandatory requisites first and in order.

    Bytes are decoded with the encoding the header names. Returns the pairs by canonical key
    (unknown keys kept as written); a malformed payload raises :class:`QrError`.
    """
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if len(raw) < 8 or raw[:6] != HEADER.encode("ascii"):
        raise QrError("ST", "нет служебного блока ST0001")
    encoding = ENCODINGS.get(chr(raw[6]))
    if encoding is None:
        raise QrError("ST", f"неизвестная кодировка «{chr(raw[6])}» (допустимы 1, 2, 3)")
    text = raw.decode(encoding) if isinstance(data, bytes) else data
    separator, body = text[7], text[8:]
    result: dict[str, str] = {}
    for pair in body.split(separator):
        if not pair:
            continue
        key, eq, value = pair.partition("=")
        if not eq:
            raise QrError(key, "пара без знака «=»")
        name = _CANONICAL.get(key.strip().lower(), key.strip())
        if name in result:
            raise QrError(name, "реквизит повторяется")
        result[name] = value
    if tuple(result)[:len(MANDATORY)] != MANDATORY:
        raise QrError("Name", "обязательные реквизиты должны идти первыми: "
                              + ", ".join(MANDATORY))
    return result
