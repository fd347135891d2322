"""One settings object for the whole application (environment prefix ``ZHKH_``), read by the
composition root (``adapters/bootstrap.py``) and nowhere else.

``ZHKH_REQUIRE_COMPILED`` is not a setting of the application: it is the build's and the
kernel's switch between the compiled modules and their Python twins."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from zhkh.rules import RULES_DIR


class Settings(BaseSettings):
    """Where the data and the rules are; read once from the environment."""

    model_config = SettingsConfigDict(env_prefix="ZHKH_", extra="ignore")

    database_url: str = "sqlite:///zhkh.sqlite"
    """SQLAlchemy URL; the embedded default is an SQLite file in the working directory."""
    rules_dir: Path = RULES_DIR
    """Folder of the published rule files (the shipped demo region by default)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of the environment (cached); tests build their own ``Settings``."""
    return Settings()
