"""Type stub of the compiled charge kernel (``_kernel.pyx``).

Twin: ``zhkh.kernel.reference`` (``tests/kernel/test_stubs.py`` holds names and parameters
equal).
"""

import numpy as np
import numpy.typing as npt

METER: int
AVERAGE: int
QUANTITY: int
SHARE: int
OK: int
OVERFLOW: int
READING_DECREASE: int
BAD_INPUT: int
SOURCE_METER: int
SOURCE_AVERAGE: int
SOURCE_NORM: int
OUTCOME_DIFFERENCE: int
OUTCOME_CAPPED: int
OUTCOME_ZERO: int
OUTCOME_NEGATIVE: int
CAP_LIFTED: int
NEGATIVE_KEPT: int
AVERAGE_FALLBACK: int

def compute(
    dec: npt.NDArray[np.int32],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    c: npt.NDArray[np.int64],
    share_num: npt.NDArray[np.int32],
    share_den: npt.NDArray[np.int32],
    d_method: npt.NDArray[np.int8],
    d_factor: npt.NDArray[np.int64],
    d_price: npt.NDArray[np.int64],
    d_coef: npt.NDArray[np.int64],
    volume: npt.NDArray[np.int64],
    amount: npt.NDArray[np.int64],
    plain: npt.NDArray[np.int64],
    status: npt.NDArray[np.int8],
    d_fden: npt.NDArray[np.int64] | None = None,
) -> int: ...

def common_volumes(
    house: npt.NDArray[np.int64],
    hist_sum: npt.NDArray[np.int64],
    hist_n: npt.NDArray[np.int64],
    individual: npt.NDArray[np.int64],
    norm: npt.NDArray[np.int64],
    area: npt.NDArray[np.int64],
    flags: npt.NDArray[np.int8],
    volume: npt.NDArray[np.int64],
    used: npt.NDArray[np.int64],
    cap: npt.NDArray[np.int64],
    source: npt.NDArray[np.int8],
    outcome: npt.NDArray[np.int8],
    status: npt.NDArray[np.int8],
) -> int: ...
