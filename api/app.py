"""The composition root of the HTTP application: one factory chooses the concrete pieces."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse

from zhkh.adapters.db.engine import BEGIN_OPTION
from zhkh.adapters.db.session import Database, make_session_factory
from zhkh.adapters.settings import Settings, get_settings
from zhkh.api.auth import allow
from zhkh.api.errors import install_domain_error_handlers, install_error_handlers
from zhkh.api.routers import (
    accounts,
    audit,
    benefits,
    calculate,
    finance,
    houses,
    incidents,
    meter_access,
    meters,
    persons,
    premises,
    registrations,
    rules,
)
from zhkh.modules.billing.compute import SESSION_KEY as RUN_CALCULATOR
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.calculation.service import Calculator

MODULE_ROUTERS = (houses, premises, accounts, persons, registrations, benefits, meters,
                  meter_access, incidents, audit)


def create_app(settings: Settings | None = None, *, calculator: Calculator | None = None,
               database: Database | None = None) -> FastAPI:
    """Build the app; tests pass their own settings, calculator or database, production uses
    the environment. Every endpoint requires an API key (see ``api/auth.py``)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="zhkh",
        version="0.1.0",
        description="Открытый расчётный центр ЖКУ: расчёт начислений с объяснением по нормам.",
    )
    app.state.settings = settings
    app.state.calculator = calculator = calculator or Calculator(settings.rules_dir)
    database = database or Database.from_url(settings.database_url)
    app.state.database = database
    # online recalculation after a change uses the same rulebook and engine as /v1/calculate
    info = {RUN_CALCULATOR: BatchCalculator(calculator.rulebook, calculator.engine)}
    app.state.session_factories = {
        "write": make_session_factory(database.engine, info),
        # On SQLite a reading request starts with a deferred BEGIN and never takes the lock.
        "read": make_session_factory(database.engine.execution_options(
            **{BEGIN_OPTION: "DEFERRED"}), info),
    }
    install_error_handlers(app)
    install_domain_error_handlers(app)

    @app.exception_handler(HTTPException)
    async def _http(_, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"code": "http_error",
                                                                  "message": str(exc.detail)}
        return JSONResponse(status_code=exc.status_code, content={"error": detail},
                            headers=exc.headers)

    app.include_router(calculate.router, dependencies=[allow("calculate", "run")])
    app.include_router(rules.router, dependencies=[allow("rules", "read")])
    app.include_router(finance.router)  # calculate:run, declared on the router
    for module in MODULE_ROUTERS:
        app.include_router(module.router)
    return app
