"""OAuth 1.0a signing of Magento requests, and how credentials pick the signing method."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import httpx
import pytest

from feedbridge.errors import ConfigError
from feedbridge.stores.magento.auth import (
    BearerAuth,
    OAuth1Auth,
    auth_from_credentials,
    base_string_uri,
    signature_base_string,
)

CREDS = {"consumer_key": "ck", "consumer_secret": "cs-secret", "access_token": "at", "access_token_secret": "ts-secret"}


def test_base_string_matches_rfc_5849_example() -> None:
    params = [("b5", "=%3D"), ("a3", "a"), ("c@", ""), ("a2", "r b"), ("c2", ""), ("a3", "2 q"),
              ("oauth_consumer_key", "9djdj82h48djs9d2"), ("oauth_token", "kkk9d7dh3k39sjv7"),
              ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "137131201"),
              ("oauth_nonce", "7d8f3e4a")]
    expected = ("POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D"
                "%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
                "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7")
    assert signature_base_string("POST", "http://example.com/request", params) == expected


def test_base_uri_drops_default_port_and_query_but_keeps_other_ports() -> None:
    assert base_string_uri(httpx.URL("HTTPS://Shop.Example.com:443/rest/V1/a?x=1")) == "https://shop.example.com/rest/V1/a"
    assert base_string_uri(httpx.URL("http://127.0.0.1:8081/rest/V1/a")) == "http://127.0.0.1:8081/rest/V1/a"


def test_signed_header_verifies_with_hmac_sha256_over_query_and_oauth_params() -> None:
    auth = OAuth1Auth("ck", "cs-secret", "at", "ts-secret")
    request = httpx.Request("GET", "http://shop.test/rest/default/V1/products",
                            params=[("searchCriteria[pageSize]", "5")])
    auth.sign(request)
    header = request.headers["Authorization"]
    assert header.startswith("OAuth ")
    fields = dict(parse_qsl(header[6:].replace('", ', '"&').replace('"', "")))
    assert fields["oauth_signature_method"] == "HMAC-SHA256"
    signature = fields.pop("oauth_signature")
    base = signature_base_string("GET", "http://shop.test/rest/default/V1/products",
                                 [("searchCriteria[pageSize]", "5"), *fields.items()])
    expected = base64.b64encode(hmac.new(b"cs-secret&ts-secret", base.encode(), hashlib.sha256).digest()).decode()
    assert signature == expected


def test_each_request_gets_a_fresh_nonce() -> None:
    auth = OAuth1Auth("ck", "cs", "at", "ts")
    first, second = httpx.Request("GET", "http://s.test/a"), httpx.Request("GET", "http://s.test/a")
    auth.sign(first)
    auth.sign(second)
    assert first.headers["Authorization"] != second.headers["Authorization"]


def test_credentials_choose_oauth_then_bearer_and_refuse_incomplete_ones() -> None:
    assert isinstance(auth_from_credentials(CREDS), OAuth1Auth)
    assert isinstance(auth_from_credentials({"bearer_token": "tok-123456"}), BearerAuth)
    with pytest.raises(ConfigError) as err:
        auth_from_credentials({"consumer_key": "ck"})
    assert "access_token_secret" in str(err.value) and "Integrations" in str(err.value)
