"""Credentials are encrypted at rest and never reach a log line."""

from __future__ import annotations

import io
import logging

import pytest
from cryptography.fernet import Fernet

from feedbridge.db.crypto import Vault
from feedbridge.errors import ConfigError
from feedbridge.http.redaction import RedactionFilter, redact, register_secret


def test_credentials_round_trip_and_ciphertext_hides_them() -> None:
    vault = Vault(Fernet.generate_key().decode())
    secrets = {"access_token": "shpat_0123456789abcdef", "client_secret": "cs_9f8e7d6c5b4a"}
    token = vault.encrypt(secrets)
    assert "shpat_0123456789abcdef" not in token and "cs_9f8e7d6c5b4a" not in token
    assert vault.decrypt(token) == secrets


def test_decrypting_with_another_key_says_what_to_do() -> None:
    token = Vault(Fernet.generate_key().decode()).encrypt({"a": "secret-value"})
    with pytest.raises(ConfigError) as info:
        Vault(Fernet.generate_key().decode()).decrypt(token)
    assert "secret key" in str(info.value)


def test_invalid_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        Vault("not-a-key")


@pytest.mark.parametrize("line", [
    "GET /api/v2/token/get?app_key=abc&app_secret=S3cr3tValue&auth_code=xyz",
    '{"access_token": "ROW_abcdefg123", "refresh_token": "RFR_zyx987"}',
    "headers: x-tts-access-token: TTP_token_value_1",
    "Authorization: Bearer eyJhbGciOi.payload.sig",
    "X-Auth-Token: bc_tok_123456",
])
def test_secret_looking_values_are_masked(line: str) -> None:
    masked = redact(line)
    for secret in ("S3cr3tValue", "ROW_abcdefg123", "RFR_zyx987", "TTP_token_value_1", "eyJhbGciOi", "bc_tok_123456"):
        assert secret not in masked
    assert "***" in masked


def test_registered_secret_is_masked_anywhere_in_a_log_record() -> None:
    register_secret("plainsecret-777")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactionFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling store with %s in the body", "plainsecret-777")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "plainsecret-777" not in output and "***" in output


def test_vault_registers_decrypted_values_for_redaction() -> None:
    vault = Vault(Fernet.generate_key().decode())
    token = vault.encrypt({"consumer_secret": "cs_decrypted_value_42"})
    vault.decrypt(token)
    assert "cs_decrypted_value_42" not in redact("sending cs_decrypted_value_42 now")
