"""Type stub of the compiled explain-text formatting (``_format.pyx``).

Twins: ``zhkh.kernel.formatting.num_python``, ``rub_python`` and ``join_texts_python``
(``tests/kernel/test_stubs.py`` holds names and parameters equal).
"""

from typing import Any

import numpy as np
import numpy.typing as npt

def num(micro: int) -> str: ...
def rub(kopecks: int) -> str: ...
def join_texts(
    pattern: list[tuple[str, Any]], columns: list[npt.NDArray[np.int64]], n: int
) -> list[str]: ...
