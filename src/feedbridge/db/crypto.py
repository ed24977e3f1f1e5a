"""Credentials and tokens encrypted at rest with Fernet; the key comes from settings."""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from feedbridge.errors import ConfigError
from feedbridge.http.redaction import register_secret


class Vault:
    """Encrypts and decrypts JSON secrets with one Fernet key."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                "FEEDBRIDGE_SECRET_KEY is not a valid Fernet key.",
                action="Generate one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`.",
            ) from exc

    def encrypt(self, secrets: dict[str, Any]) -> str:
        """Encrypt a dict of secrets into a token safe to store in a text column."""
        for value in secrets.values():
            if isinstance(value, str):
                register_secret(value)
        return self._fernet.encrypt(json.dumps(secrets).encode()).decode()

    def decrypt(self, token: str | None) -> dict[str, Any]:
        """Decrypt a stored token; registers each value with the log redaction filter."""
        if not token:
            return {}
        try:
            data: dict[str, Any] = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise ConfigError(
                "Stored credentials cannot be decrypted with the current secret key.",
                action="Restore the secret key that was used when the connection was made, or reconnect.",
            ) from exc
        for value in data.values():
            if isinstance(value, str):
                register_secret(value)
        return data
