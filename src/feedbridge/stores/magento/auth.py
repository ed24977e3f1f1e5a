"""Signing Magento REST requests: OAuth 1.0a integration credentials (HMAC-SHA256) or a bearer token.

Since Magento 2.4.4 an integration's access token is refused as a standalone bearer token unless the merchant
enables it, so OAuth 1.0a signing of every request is the default.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Generator, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

from feedbridge.errors import ConfigError
from feedbridge.http.redaction import register_secret

OAUTH_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as OAuth 1.0a requires (only unreserved characters stay as they are)."""
    return quote(value, safe="~-._")


def base_string_uri(url: httpx.URL) -> str:
    """Scheme, host, non-default port and path, without query (RFC 5849 §3.4.1.2)."""
    scheme = url.scheme.lower()
    host = url.host.lower()
    port = url.port
    default = (scheme == "http" and port in (None, 80)) or (scheme == "https" and port in (None, 443))
    netloc = host if default else f"{host}:{port}"
    path = url.raw_path.split(b"?", 1)[0].decode("ascii")
    return f"{scheme}://{netloc}{path}"


def signature_base_string(method: str, uri: str, params: list[tuple[str, str]]) -> str:
    """The OAuth 1.0a signature base string from the method, base URI and every query and oauth parameter."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join((method.upper(), percent_encode(uri), percent_encode(normalized)))


def hmac_sha256_signature(base: str, consumer_secret: str, token_secret: str) -> str:
    """Base64 HMAC-SHA256 of the base string keyed by the two secrets."""
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha256).digest()).decode()


class OAuth1Auth(httpx.Auth):
    """Signs each request with OAuth 1.0a (HMAC-SHA256) in the Authorization header."""

    def __init__(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str) -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.token = token
        self.token_secret = token_secret

    def oauth_params(self) -> dict[str, str]:
        return {
            "oauth_consumer_key": self.consumer_key,
            "oauth_nonce": secrets.token_hex(16),
            "oauth_signature_method": "HMAC-SHA256",
            "oauth_timestamp": str(int(time.time())),
            "oauth_token": self.token,
            "oauth_version": "1.0",
        }

    def sign(self, request: httpx.Request) -> None:
        """Set the Authorization header on `request` (a fresh nonce and timestamp every time)."""
        oauth = self.oauth_params()
        query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
        base = signature_base_string(request.method, base_string_uri(request.url), [*query, *oauth.items()])
        oauth["oauth_signature"] = hmac_sha256_signature(base, self.consumer_secret, self.token_secret)
        header = ", ".join(f'{k}="{percent_encode(v)}"' for k, v in oauth.items())
        request.headers["Authorization"] = f"OAuth {header}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` (an admin token, or an integration token where the store allows it)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def auth_from_credentials(credentials: Mapping[str, Any]) -> httpx.Auth:
    """OAuth 1.0a when the four integration values are given, else a bearer token; ConfigError otherwise."""
    if all(credentials.get(k) for k in OAUTH_KEYS):
        values = [str(credentials[k]) for k in OAUTH_KEYS]
        for value in values[1:]:
            register_secret(value)
        return OAuth1Auth(*values)
    token = credentials.get("bearer_token")
    if token:
        register_secret(str(token))
        return BearerAuth(str(token))
    missing = [k for k in OAUTH_KEYS if not credentials.get(k)]
    raise ConfigError(
        f"The Magento connection is missing {', '.join(missing)}.",
        action="In Magento Admin open System > Extensions > Integrations, activate the feedbridge integration and "
               "copy its consumer key, consumer secret, access token and access token secret.",
    )
