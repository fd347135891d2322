"""Finance: penalties for late payment (ЖК РФ ст. 155 ч. 14) and payment allocation
(ПП 354 п. 118)."""
