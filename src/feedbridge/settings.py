"""One typed settings object, read from FEEDBRIDGE_* environment variables and an optional TOML file.

Precedence: environment variables, then the config file (FEEDBRIDGE_CONFIG or <home>/config.toml), then defaults.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    """Everything an operator can set. Field `x` is read from FEEDBRIDGE_X."""

    model_config = SettingsConfigDict(env_prefix="FEEDBRIDGE_", extra="ignore")

    home: Path = Field(default=Path("./.feedbridge"), description="Folder for the SQLite files and the key.")
    database_url: str = Field(default="", description="SQLAlchemy URL; default: SQLite file under home.")
    queue_url: str = Field(default="", description="sqlite:///file or redis://host:port/db; default: SQLite.")
    secret_key: str = Field(default="", description="Fernet key for credentials at rest; generated if absent.")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Base URL platforms send webhooks to.")
    log_level: str = Field(default="INFO")
    log_json: bool = Field(default=False, description="Structured JSON logs (production).")
    sandbox_mode: bool = Field(default=False, description="Allow loopback store URLs (sandboxes).")
    worker_threads: int = Field(default=4, description="In-process worker threads.")
    intent_lease_seconds: float = Field(default=300.0, description="How long a running intent is owned.")
    intent_max_attempts: int = Field(default=8)
    retry_base_seconds: float = Field(default=2.0)
    retry_cap_seconds: float = Field(default=900.0)
    sweep_interval_seconds: int = Field(default=60)
    tiktok_app_key: str = Field(default="")
    tiktok_app_secret: str = Field(default="")
    tiktok_service_id: str = Field(default="")
    tiktok_api_url: str = Field(default="https://open-api.tiktokglobalshop.com")
    tiktok_auth_url: str = Field(default="https://auth.tiktok-shops.com")

    def resolved(self) -> Settings:
        """Fill the defaults that depend on `home`, creating the folder and the key if needed."""
        home = self.home.expanduser().resolve()
        home.mkdir(parents=True, exist_ok=True)
        update: dict[str, Any] = {"home": home}
        if not self.database_url:
            update["database_url"] = f"sqlite:///{home / 'feedbridge.db'}"
        if not self.queue_url:
            update["queue_url"] = f"sqlite:///{home / 'queue.db'}"
        if not self.secret_key:
            update["secret_key"] = _load_or_create_key(home / "secret.key")
        return self.model_copy(update=update)


def _load_or_create_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    key = Fernet.generate_key().decode()
    path.write_text(key + "\n")
    path.chmod(0o600)
    log.warning(
        "Generated a new secret key at %s. Back it up: without it, stored credentials cannot be read.", path
    )
    return key


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the config file and environment, apply overrides, resolve defaults."""
    file_values: dict[str, Any] = {}
    home = Path(overrides.get("home") or os.environ.get("FEEDBRIDGE_HOME", "./.feedbridge"))
    config = Path(os.environ.get("FEEDBRIDGE_CONFIG", home / "config.toml"))
    if config.exists():
        with config.open("rb") as fh:
            file_values = tomllib.load(fh).get("feedbridge", {})
    env_values = Settings().model_dump(exclude_unset=True)
    merged = {**file_values, **env_values, **overrides}
    return Settings(**merged).resolved()
