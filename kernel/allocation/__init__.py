"""Payment allocation: between periods (designated or oldest first), within a period in
proportion to the charge lines (largest remainder), penalties apart, surplus to advance."""

from zhkh.kernel.allocation.allocate import allocate, allocate_between_periods
from zhkh.kernel.allocation.model import (
    Allocation,
    AllocationLine,
    AllocationPolicy,
    OpenLine,
    Payment,
    TraceStep,
)
from zhkh.kernel.allocation.split import split_largest_remainder

__all__ = [
    "Allocation",
    "AllocationLine",
    "AllocationPolicy",
    "OpenLine",
    "Payment",
    "TraceStep",
    "allocate",
    "allocate_between_periods",
    "split_largest_remainder",
]
