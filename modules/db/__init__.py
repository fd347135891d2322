"""Database foundations shared by the business modules.

One declarative ``Base`` (one metadata for every module), column helpers that keep money and
volumes integer, portable CHECK builders, a small generic repository, and the bulk paths
(COPY / executemany writers, streaming readers). Nothing here commits: the caller owns the
transaction.
"""

from zhkh.modules.db.base import (
    Base,
    IdPK,
    import_all_models,
    integer_check,
    one_of,
    period_check,
)
from zhkh.modules.db.bulk import insert_rows, stream_columns, stream_rows
from zhkh.modules.db.repository import Repository, active_on, overlapping

__all__ = [
    "Base",
    "IdPK",
    "Repository",
    "active_on",
    "import_all_models",
    "insert_rows",
    "integer_check",
    "one_of",
    "overlapping",
    "period_check",
    "stream_columns",
    "stream_rows",
]
