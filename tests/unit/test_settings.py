"""Settings come from FEEDBRIDGE_* variables and the config file; defaults live under FEEDBRIDGE_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedbridge.settings import load_settings


def test_defaults_are_sqlite_files_under_home_and_a_generated_key(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDBRIDGE_HOME", str(tmp_path / "home"))
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'home' / 'feedbridge.db'}"
    assert settings.queue_url == f"sqlite:///{tmp_path / 'home' / 'queue.db'}"
    key_file = tmp_path / "home" / "secret.key"
    assert key_file.read_text().strip() == settings.secret_key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert load_settings().secret_key == settings.secret_key  # stable across starts


def test_environment_overrides_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / "config.toml").write_text('[feedbridge]\nlog_level = "DEBUG"\npublic_url = "https://file.example"\n')
    monkeypatch.setenv("FEEDBRIDGE_HOME", str(home))
    monkeypatch.setenv("FEEDBRIDGE_PUBLIC_URL", "https://env.example")
    settings = load_settings()
    assert settings.log_level == "DEBUG"
    assert settings.public_url == "https://env.example"


def test_queue_url_for_redis_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDBRIDGE_HOME", str(tmp_path))
    monkeypatch.setenv("FEEDBRIDGE_QUEUE_URL", "redis://127.0.0.1:6379/3")
    assert load_settings().queue_url == "redis://127.0.0.1:6379/3"
