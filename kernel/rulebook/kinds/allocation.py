"""Allocation rules (ПП РФ №354 п. 118, ГК РФ ст. 319.1): how a payment is split.

```yaml
allocation:
  - id: allocation.default
    title: Распределение оплаты
    source: "ПП РФ №354 п. 118; ГК РФ ст. 319.1"
    between_periods: by_payment_period   # or fifo
    tie_break: document_order            # or largest_line
    penalties: after_principal           # or only_designated
```
The matching rule of highest priority decides (one must win per fact).
"""

from __future__ import annotations

from typing import Literal

from zhkh.kernel.rulebook.base import RuleBase

KIND = "allocation"
LIST_KEY = "allocation"


class Rule(RuleBase):
    """``between_periods``: the payer's period first (``by_payment_period``) or always the
    oldest debt (``fifo``); within a period always in proportion to the lines (largest
    remainder) with ``tie_break`` for equal remainders; ``penalties``: reached after all
    principal, or only by a payment designated for penalties."""

    between_periods: Literal["by_payment_period", "fifo"] = "by_payment_period"
    tie_break: Literal["document_order", "largest_line"] = "document_order"
    penalties: Literal["after_principal", "only_designated"] = "after_principal"
