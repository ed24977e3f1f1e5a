"""WooCommerce REST API key authentication.

Over HTTPS WooCommerce takes HTTP Basic `consumer_key:consumer_secret`. Over plain HTTP it only takes one-legged
OAuth 1.0a with the signature in the query string: the key is `consumer_secret + "&"`, the base string is
`METHOD&rawurlencode(url)&` followed by the sorted, RFC 3986-encoded `key=value` pairs (each pair encoded once
more and joined with %26), and `oauth_timestamp` / `oauth_nonce` guard against replays
(woocommerce-rest-api-docs `_authentication.md`; WC_REST_Authentication::check_oauth_signature).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from enum import StrEnum
from urllib.parse import quote, urlsplit

from feedbridge.errors import ConfigError


class AuthMode(StrEnum):
    """How the REST key travels."""
    BASIC = "basic"  # Authorization: Basic, HTTPS only
    QUERY = "query"  # consumer_key/consumer_secret in the query string (servers that drop the header), HTTPS only
    OAUTH = "oauth"  # one-legged OAuth 1.0a, for shops served over plain HTTP


ALGORITHMS = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA1": hashlib.sha1}


def rfc3986(text: str) -> str:
    """Percent-encode everything except unreserved characters (PHP rawurlencode)."""
    return quote(text, safe="~")


def choose_mode(base_url: str, requested: str | None = None) -> AuthMode:
    """Basic over HTTPS, OAuth 1.0a over HTTP, unless the connection asks for one explicitly."""
    scheme = urlsplit(base_url).scheme
    if requested:
        try:
            mode = AuthMode(requested)
        except ValueError as exc:
            raise ConfigError(f"Unknown WooCommerce auth mode {requested!r}.",
                              action="Use basic, query or oauth.") from exc
        if mode is not AuthMode.OAUTH and scheme != "https":
            raise ConfigError("WooCommerce only accepts REST keys in plain form over HTTPS.",
                              action="Use the store's https:// address, or the oauth auth mode.")
        return mode
    return AuthMode.BASIC if scheme == "https" else AuthMode.OAUTH


def oauth_signature(method: str, url: str, params: Mapping[str, str], consumer_secret: str,
                    signature_method: str = "HMAC-SHA256") -> str:
    """The base64 OAuth 1.0a signature WooCommerce expects for `params` (oauth_* included, signature excluded)."""
    encoded = sorted((rfc3986(k), rfc3986(v)) for k, v in params.items() if k != "oauth_signature")
    query = "%26".join(rfc3986(f"{k}={v}") for k, v in encoded)
    base = f"{method.upper()}&{rfc3986(url)}&{query}"
    digest = hmac.new((consumer_secret + "&").encode(), base.encode(), ALGORITHMS[signature_method]).digest()
    return base64.b64encode(digest).decode()


def oauth_params(method: str, url: str, params: Mapping[str, str], consumer_key: str, consumer_secret: str, *,
                 signature_method: str = "HMAC-SHA256", timestamp: int | None = None,
                 nonce: str | None = None) -> dict[str, str]:
    """`params` plus the oauth_* parameters and their signature, ready to send as the query string."""
    signed = {k: str(v) for k, v in params.items()}
    signed.update({
        "oauth_consumer_key": consumer_key,
        "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": signature_method,
    })
    signed["oauth_signature"] = oauth_signature(method, url, signed, consumer_secret, signature_method)
    return signed


def basic_header(consumer_key: str, consumer_secret: str) -> str:
    """The Authorization header for HTTP Basic."""
    token = base64.b64encode(f"{consumer_key}:{consumer_secret}".encode()).decode()
    return f"Basic {token}"
