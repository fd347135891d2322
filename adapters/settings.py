"""One settings object for the whole application (environment prefix ``ZHKH_``)."""

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
    require_compiled: bool = False
    """Refuse to run without the compiled kernel (CI sets ``ZHKH_REQUIRE_COMPILED=1``)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached); tests build their own ``Settings`` instead."""
    return Settings()
