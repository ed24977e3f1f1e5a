"""TikTok Shop request signing (API version 202309 and later) and webhook signature checks.

Request sign: hex(HMAC-SHA256(key=app_secret, msg=app_secret + path + sorted(key+value) + body + app_secret)),
over every query parameter except `sign` and `access_token`, with the exact body bytes sent (empty for GET and
for multipart uploads, whose callers pass body=b""). Webhook sign: the `Authorization` header equals
hex(HMAC-SHA256(key=app_secret, msg=app_key + raw body)).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from feedbridge.http.hmac_tools import same

# Never part of the signature: `sign` is the result, `access_token` is legacy and travels as a header now.
UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def string_to_sign(path: str, params: Mapping[str, str], body: bytes | str = b"") -> bytes:
    """The message before wrapping: path, then sorted `keyvalue` pairs, then the raw body."""
    # Ordinal (byte) order of keys, as TikTok's reference implementations sort.
    pairs = "".join(f"{key}{params[key]}" for key in sorted(params) if key not in UNSIGNED_PARAMS)
    return (path + pairs).encode("utf-8") + _as_bytes(body)


def sign(app_secret: str, path: str, params: Mapping[str, str], body: bytes | str = b"") -> str:
    """Return the lowercase hex `sign` query value for one request.

    `params` are the decoded query values as they will be sent; `body` the exact bytes sent (b"" for GET and
    for multipart/form-data uploads, which TikTok signs over path and query only).
    """
    secret = app_secret.encode("utf-8")
    message = secret + string_to_sign(path, params, body) + secret
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, raw_body: bytes) -> str:
    """The `Authorization` header value TikTok sends with a webhook whose body is `raw_body`."""
    return hmac.new(app_secret.encode("utf-8"), app_key.encode("utf-8") + raw_body, hashlib.sha256).hexdigest()


def verify_webhook(app_key: str, app_secret: str, raw_body: bytes, authorization: str | None) -> bool:
    """True when `authorization` (the header, as received) signs `raw_body`; constant-time comparison.

    Must be given the raw request bytes: re-serialized JSON differs and fails.
    """
    if not authorization or not app_secret:
        return False
    expected = webhook_signature(app_key, app_secret, raw_body)
    # Hex is case-insensitive; TikTok sends lowercase, but an uppercase header is the same signature.
    return same(expected, authorization.strip().lower())
