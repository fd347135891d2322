"""The HTTP access log of ``zhkh serve`` without query strings.

The desks search by a resident's name and the API filters by account number in the query
string (``/web/accounts?q=Иванов``); uvicorn's access log would write them to stdout, i.e. to
whatever collects the server's logs. The path stays, the query is replaced by ``?…``.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import uvicorn.config

PATH_ARG = 2
"""Position of the path in uvicorn's access record: (client, method, path, version, status)."""


class NoQueryString(logging.Filter):
    """Cuts the query string off the path of each access record; other records pass as they
    are. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > PATH_ARG:
            full = args[PATH_ARG]
            if isinstance(full, str) and "?" in full:
                path = full.partition("?")[0]
                record.args = (*args[:PATH_ARG], f"{path}?…", *args[PATH_ARG + 1:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration (a copy) with :class:`NoQueryString` on the access
    handler."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["no_query_string"] = {"()": NoQueryString}
    config["handlers"]["access"].setdefault("filters", []).append("no_query_string")
    return config
