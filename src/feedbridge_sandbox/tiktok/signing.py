"""TikTok Shop signatures as the sandbox checks them (kept separate from the client's code on purpose).

Requests (v202309): sign = hex(HMAC-SHA256(app_secret, app_secret + path + sorted(k + v, except sign and
access_token) + raw body unless multipart + app_secret)). Webhooks: Authorization = hex(HMAC-SHA256(app_secret,
app_key + raw body)).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def base_string(path: str, query: Mapping[str, str], body: bytes = b"", multipart: bool = False) -> bytes:
    """The bytes TikTok wraps in the secret: path, sorted key+value pairs, and the body unless multipart."""
    params = "".join(f"{k}{v}" for k, v in sorted(query.items()) if k not in UNSIGNED_PARAMS)
    return (path + params).encode() + (b"" if multipart else body)


def request_sign(secret: str, path: str, query: Mapping[str, str], body: bytes = b"",
                 multipart: bool = False) -> str:
    """The `sign` query value a correct client sends for this request."""
    key = secret.encode()
    message = key + base_string(path, query, body, multipart) + key
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign_matches(secret: str, path: str, query: Mapping[str, str], body: bytes, multipart: bool,
                 given: str) -> bool:
    """Constant-time check of a request's `sign`."""
    return hmac.compare_digest(request_sign(secret, path, query, body, multipart), given.lower())


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The `Authorization` header TikTok puts on a webhook delivery."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
