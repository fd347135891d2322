"""The web application's desks, in the order of the navigation, and their mounting on the app.

A desk adds its module to :data:`PAGES` (one line) — see ``api/web/README.md``.
"""

from __future__ import annotations

from types import ModuleType

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from zhkh.api.auth import FailedAuthentications
from zhkh.api.web import core
from zhkh.api.web.pages import accounts, admin, home

PAGES: list[ModuleType] = [
    home,
    accounts,
    admin,
]
"""Desk modules: each has ``router`` and ``DESK`` (a :class:`~zhkh.api.web.core.Desk`, or
None for pages that are not a desk of the navigation)."""


def install(app: FastAPI) -> None:
    """Mount the static assets under ``/static`` and every desk's pages under ``/``."""
    settings = app.state.application.settings
    app.state.web_sign_in_failures = FailedAuthentications(
        settings.auth_failures_limit, settings.auth_failures_window_seconds)
    app.mount("/static", StaticFiles(directory=str(core.HERE / "static")), name="static")
    core.DESKS[:] = [m.DESK for m in PAGES if getattr(m, "DESK", None) is not None]
    for module in PAGES:
        app.include_router(module.router)
