"""A billed and paid tiny town for the documents tests, made by ``zhkh demo`` itself (the
README's path): 24 accounts in two houses billed 2026-07 … 2026-10 with readings, benefits,
quality incidents, late corrections booked as recalculations (of 2026-08 and 2026-09, in
2026-10), bank registry payments (whole, partial, rounded up, none), penalties, every month
closed and 2026-11 open.

The town is made once per backend as a template; a test gets a copy (a file copy, ``CREATE
DATABASE … TEMPLATE``) when it commits (the API, the CLI), or a rolled-back session on the
shared working copy.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from zhkh.adapters.cli.main import app
from zhkh.adapters.db import normalize_url

PG_ENV = "ZHKH_TEST_POSTGRES_URL"
ACCOUNTS, HOUSES, MONTHS = 24, 2, 4
runner = CliRunner()


def zhkh(*args: object, url: str) -> object:
    """Run ``zhkh args… --database url`` in this process."""
    return runner.invoke(app, [*map(str, args), "--database", url], env={"COLUMNS": "120"})


def _pg_admin() -> Engine:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} не задан: варианты тестов на PostgreSQL пропущены")
    return create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")


def _pg_url(admin: Engine, name: str) -> str:
    return make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)


class Towns:
    """Template towns by backend (made on first use) and their copies (dropped at the end)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.templates: dict[str, str] = {}
        self.pg_names: list[str] = []

    def template(self, backend: str) -> str:
        if backend not in self.templates:
            if backend == "sqlite":
                url = f"sqlite:///{self.folder / 'template.sqlite'}"
            else:
                url = self._pg_create(None)
            here = os.getcwd()
            os.chdir(self.folder)  # the demo leaves its bank files in the working folder
            try:
                result = zhkh("demo", "--accounts", ACCOUNTS, "--houses", HOUSES,
                              "--months", MONTHS, url=url)
            finally:
                os.chdir(here)
            assert result.exit_code == 0, result.output
            self.templates[backend] = url
        return self.templates[backend]

    def copy(self, backend: str) -> str:
        """A new database holding the town."""
        template = self.template(backend)
        if backend == "sqlite":
            target = self.folder / f"town-{secrets.token_hex(4)}.sqlite"
            shutil.copyfile(make_url(template).database, target)
            return f"sqlite:///{target}"
        return self._pg_create(make_url(template).database)

    def _pg_create(self, template: str | None) -> str:
        admin = _pg_admin()
        name = f"zhkh_docs_{secrets.token_hex(5)}"
        try:
            with admin.connect() as conn:
                suffix = f' TEMPLATE "{template}"' if template else ""
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"{suffix}')
            self.pg_names.append(name)
            return _pg_url(admin, name)
        finally:
            admin.dispose()

    def drop_all(self) -> None:
        if not self.pg_names:
            return
        admin = _pg_admin()
        with admin.connect() as conn:
            for name in self.pg_names:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def towns_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Towns]:
    made = Towns(tmp_path_factory.mktemp("towns"))
    try:
        yield made
    finally:
        made.drop_all()
