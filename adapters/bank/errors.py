"""The one refusal of a bank file: :class:`RegistryError`, naming the line and the field."""

from __future__ import annotations

from typing import Any

from zhkh.modules.errors import Invalid

FIELD_TITLES = {
    "date": "дата", "time": "время", "branch": "отделение", "cashier": "ВСП/кассир/терминал",
    "operation_id": "номер операции", "account": "лицевой счёт", "payer": "плательщик",
    "address": "адрес", "period": "период", "amount": "сумма",
    "amount_to_transfer": "сумма к перечислению", "commission": "комиссия",
    "document_number": "номер документа", "channel": "способ оплаты", "provider": "поставщик",
    "line_count": "количество строк", "amount_total": "сумма платежей",
    "transfer_total": "сумма к перечислению", "commission_total": "комиссия",
    "order_number": "номер платёжного поручения", "order_date": "дата платёжного поручения",
    "readings": "показания",
}


class RegistryError(Invalid):
    """A bank file refused as a whole. ``line`` is the line (or DBF record) number in the
    file, 1-based, when one line is at fault; ``field`` is the profile's field name
    (``amount``, ``footer`` …). ``message`` reads «строка 17, поле «сумма»: …».
    """

    def __init__(self, code: str, problem: str, *, line: int | None = None,
                 field: str | None = None, file_name: str | None = None) -> None:
        super().__init__(code, _where(line, field) + problem, field=field, obj=file_name)
        self.line = line
        self.problem = problem

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.line is not None:
            body["line"] = self.line
        return body


def field_title(name: str) -> str:
    """The Russian name of a registry field for messages (the tag itself for tags)."""
    return FIELD_TITLES.get(name, name)


def _where(line: int | None, field: str | None) -> str:
    parts = []
    if line is not None:
        parts.append(f"строка {line}")
    if field is not None:
        parts.append(f"поле «{field_title(field)}»")
    return ", ".join(parts) + ": " if parts else ""
