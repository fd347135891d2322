"""Type stub of the compiled COPY text builder (``_copy.pyx``).

Twin: ``zhkh.modules.db.copy_rows.join_rows_python`` (``tests/kernel/test_stubs.py`` holds
names and parameters equal).
"""

from typing import Any

def join_rows(
    kinds: list[str], values: list[Any], tables: list[Any], lo: int, hi: int
) -> bytes: ...
