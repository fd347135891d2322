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
    rules_drafts_dir: Path | None = None
    """Folder whose sub-folders are the draft rule folders the web desk's impact preview may
    compare (``ZHKH_RULES_DRAFTS_DIR``). Unset: the web preview is off — a signed-in user
    must not make the server read a folder of its choosing; ``zhkh rules diff`` at the
    server's console reads any folder its operator can."""
    migration_url: str | None = None
    """PostgreSQL: the URL of the role that owns the schema, used by ``zhkh db upgrade`` only
    (the application's ``database_url`` is then a role that owns nothing, created by the
    upgrade; see ``adapters/db/roles.py``). Unset: migrations run with ``database_url``."""
    max_body_bytes: int = 1_048_576
    """Largest request body of the API (413 before the key is even looked at)."""
    max_upload_bytes: int = 200 * 1_048_576
    """Largest uploaded file (``multipart/form-data``: bank registries)."""
    auth_failures_limit: int = 20
    """Failed authentications (an unknown or revoked key) one client may make per window;
    past it every request of that client is a 429 until the window passes."""
    auth_failures_window_seconds: int = 60
    """The window of ``auth_failures_limit``."""
    idempotency_hours: int = 24
    """How long a stored ``Idempotency-Key`` response is replayed; older ones are purged."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of the environment (cached); tests build their own ``Settings``."""
    return Settings()
