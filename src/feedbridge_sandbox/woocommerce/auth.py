"""How the sandbox checks REST API keys, the way WooCommerce's REST authentication does.

Accepted: HTTP Basic `consumer_key:consumer_secret`; `consumer_key`/`consumer_secret` in the query string; and
one-legged OAuth 1.0a in the query string or an `Authorization: OAuth` header (HMAC-SHA1 or HMAC-SHA256, key = consumer secret + "&", base string =
METHOD & rawurlencode(url) & sorted rawurlencoded params, timestamp within 15 minutes, nonce used once).
Real WooCommerce takes Basic and query keys only over HTTPS; the sandbox runs on plain loopback HTTP, so it takes
all three there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from feedbridge_sandbox.woocommerce.store import ApiError

WINDOW = 15 * 60


def rawurlencode(text: str) -> str:
    """PHP's rawurlencode: everything but unreserved characters is percent-encoded."""
    return quote(text, safe="~")


def _oauth_header(text: str) -> dict[str, str]:
    params = {}
    for part in text.split(","):
        name, _, value = part.strip().partition("=")
        if name.startswith("oauth_"):
            params[name] = unquote(value.strip().strip('"'))
    return params


@dataclass
class ApiKey:
    """A REST API key and the nonces it used."""
    consumer_key: str
    consumer_secret: str
    permissions: str = "read_write"  # read | write | read_write
    nonces: dict[str, float] = field(default_factory=dict)


class KeyChecker:
    """Authenticates one request and returns the key it used, or raises ApiError(401)."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = {k.consumer_key: k for k in keys}
        self._lock = threading.Lock()

    def _key(self, consumer_key: str) -> ApiKey:
        key = self.keys.get(consumer_key)
        if key is None:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        return key

    def authenticate(self, method: str, url: str, query: Mapping[str, str], authorization: str | None) -> ApiKey:
        """The key that signed this request, or ApiError(401)."""
        if authorization and authorization.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError) as exc:
                raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.") from exc
            key = self._key(user)
            if not hmac.compare_digest(key.consumer_secret, password):
                raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        elif "consumer_key" in query and "consumer_secret" in query:
            key = self._key(query["consumer_key"])
            if not hmac.compare_digest(key.consumer_secret, query["consumer_secret"]):
                raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        elif authorization and authorization.lower().startswith("oauth "):
            # OAuth parameters may also come in an `Authorization: OAuth k="v", ...` header.
            header = _oauth_header(authorization[6:])
            key = self._key(header.get("oauth_consumer_key", ""))
            self._check_oauth(key, method, url, {**query, **header})
        elif "oauth_consumer_key" in query:
            key = self._key(query["oauth_consumer_key"])
            self._check_oauth(key, method, url, query)
        else:
            raise ApiError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if method not in ("GET", "HEAD", "OPTIONS") and key.permissions == "read":
            raise ApiError(401, "woocommerce_rest_authentication_error",
                           "The API key provided does not have write permissions.")
        if method in ("GET", "HEAD") and key.permissions == "write":
            raise ApiError(401, "woocommerce_rest_authentication_error",
                           "The API key provided does not have read permissions.")
        return key

    def _check_oauth(self, key: ApiKey, method: str, url: str, query: Mapping[str, str]) -> None:
        for param in ("oauth_signature", "oauth_signature_method", "oauth_timestamp", "oauth_nonce"):
            if not query.get(param):
                raise ApiError(401, "woocommerce_rest_authentication_error",
                               f"{param} parameter is missing.")
        algorithm = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}.get(query["oauth_signature_method"])
        if algorithm is None:
            raise ApiError(401, "woocommerce_rest_authentication_error",
                           "Invalid signature - signature method is invalid.")
        params = {k: v for k, v in query.items() if k != "oauth_signature"}
        encoded = sorted((rawurlencode(k), rawurlencode(v)) for k, v in params.items())
        query_string = "%26".join(rawurlencode(f"{k}={v}") for k, v in encoded)
        base = f"{method.upper()}&{rawurlencode(url)}&{query_string}"
        digest = hmac.new((key.consumer_secret + "&").encode(), base.encode(), algorithm).digest()
        if not hmac.compare_digest(base64.b64encode(digest).decode(), query["oauth_signature"]):
            raise ApiError(401, "woocommerce_rest_authentication_error",
                           "Invalid signature - provided signature does not match.")
        try:
            stamp = int(query["oauth_timestamp"])
        except ValueError as exc:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.") from exc
        now = time.time()
        if stamp < now - WINDOW:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.")
        with self._lock:
            key.nonces = {n: t for n, t in key.nonces.items() if t >= now - WINDOW}
            if query["oauth_nonce"] in key.nonces:
                raise ApiError(401, "woocommerce_rest_authentication_error",
                               "Invalid nonce - nonce has already been used.")
            key.nonces[query["oauth_nonce"]] = now
