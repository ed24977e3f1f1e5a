"""Request and webhook signatures reproduce every vector in signing-vectors.json."""

from __future__ import annotations

from typing import Any

import pytest

from feedbridge.tiktok.signing import sign, string_to_sign, verify_webhook, webhook_signature
from tests.unit.tiktok.specs import load

VECTORS: dict[str, Any] = load("signing-vectors.json")
REQUEST_VECTORS = VECTORS["request_signing"]["vectors"]
WEBHOOK_VECTORS = VECTORS["webhook_signing"]["vectors"]


def _body(vector: dict[str, Any]) -> str:
    # Multipart uploads are signed without their body: the caller passes an empty body.
    return "" if vector["content_type"].startswith("multipart/") else vector["body"]


def test_every_vector_file_section_is_non_empty() -> None:
    assert len(REQUEST_VECTORS) >= 5
    assert len(WEBHOOK_VECTORS) >= 1


@pytest.mark.parametrize("vector", REQUEST_VECTORS, ids=[v["name"] for v in REQUEST_VECTORS])
def test_request_sign_matches_vector(vector: dict[str, Any]) -> None:
    assert sign(vector["app_secret"], vector["path"], vector["query"], _body(vector)) == vector["expected_sign"]


@pytest.mark.parametrize("vector", REQUEST_VECTORS, ids=[v["name"] for v in REQUEST_VECTORS])
def test_string_to_sign_matches_vector_base_string(vector: dict[str, Any]) -> None:
    base = string_to_sign(vector["path"], vector["query"], _body(vector))
    assert base.decode() == vector["expected_base_string"]


def test_sign_accepts_body_as_bytes_or_text_alike() -> None:
    vector = REQUEST_VECTORS[2]
    as_bytes = sign(vector["app_secret"], vector["path"], vector["query"], vector["body"].encode())
    assert as_bytes == vector["expected_sign"]


def test_sign_is_lowercase_hex_of_64_characters() -> None:
    value = sign("secret", "/x", {"a": "1"})
    assert len(value) == 64
    assert value == value.lower()
    int(value, 16)


def test_sign_and_access_token_params_do_not_change_the_signature() -> None:
    base = sign("s", "/p", {"app_key": "k", "timestamp": "1"})
    assert sign("s", "/p", {"app_key": "k", "timestamp": "1", "sign": "x", "access_token": "y"}) == base


def test_a_different_body_gives_a_different_signature() -> None:
    assert sign("s", "/p", {"a": "1"}, b'{"a":1}') != sign("s", "/p", {"a": "1"}, b'{"a": 1}')


@pytest.mark.parametrize("vector", WEBHOOK_VECTORS, ids=[v["name"] for v in WEBHOOK_VECTORS])
def test_webhook_signature_matches_vector(vector: dict[str, Any]) -> None:
    body = vector["raw_body"].encode()
    assert webhook_signature(vector["app_key"], vector["app_secret"], body) == vector["expected_authorization"]
    assert verify_webhook(vector["app_key"], vector["app_secret"], body, vector["expected_authorization"])


def _official() -> tuple[str, str, bytes, str]:
    v = WEBHOOK_VECTORS[0]
    return v["app_key"], v["app_secret"], v["raw_body"].encode(), v["expected_authorization"]


def test_webhook_with_tampered_body_is_rejected() -> None:
    key, secret, body, header = _official()
    assert not verify_webhook(key, secret, body.replace(b"UNPAID", b"AWAITING_SHIPMENT"), header)


def test_webhook_re_serialized_json_is_rejected() -> None:
    import json

    key, secret, body, header = _official()
    assert not verify_webhook(key, secret, json.dumps(json.loads(body)).encode(), header)


def test_webhook_signed_with_another_secret_is_rejected() -> None:
    key, _secret, body, header = _official()
    assert not verify_webhook(key, "another-secret", body, header)


def test_webhook_signed_for_another_app_key_is_rejected() -> None:
    _key, secret, body, header = _official()
    assert not verify_webhook("other-app", secret, body, header)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_webhook_without_authorization_header_is_rejected(header: str | None) -> None:
    key, secret, body, _header = _official()
    assert not verify_webhook(key, secret, body, header)


def test_webhook_header_in_uppercase_hex_is_accepted() -> None:
    key, secret, body, header = _official()
    assert verify_webhook(key, secret, body, header.upper())
