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
    d_cden: npt.NDArray[np.int64] | None = None,
) -> int: ...
