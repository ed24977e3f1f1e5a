"""HMAC helpers; comparisons are always constant-time."""

from __future__ import annotations

import base64
import hashlib
import hmac


def hmac_sha256_hex(key: str | bytes, message: str | bytes) -> str:
    k = key.encode() if isinstance(key, str) else key
    m = message.encode() if isinstance(message, str) else message
    return hmac.new(k, m, hashlib.sha256).hexdigest()


def hmac_sha256_b64(key: str | bytes, message: str | bytes) -> str:
    k = key.encode() if isinstance(key, str) else key
    m = message.encode() if isinstance(message, str) else message
    return base64.b64encode(hmac.new(k, m, hashlib.sha256).digest()).decode()


def same(a: str | bytes | None, b: str | bytes | None) -> bool:
    """Constant-time equality that is False when either side is missing."""
    if a is None or b is None:
        return False
    a_b = a.encode() if isinstance(a, str) else a
    b_b = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(a_b, b_b)
