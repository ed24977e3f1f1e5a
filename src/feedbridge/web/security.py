"""Passwords, API tokens, CSRF tokens and the session key: the small cryptographic pieces of the dashboard.

Passwords are hashed with scrypt and a random salt; every comparison is constant-time. API tokens are shown to
the merchant once and only their SHA-256 hash is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**14, 8, 1, 32
TOKEN_PREFIX = "fb_"
MIN_PASSWORD_LENGTH = 10


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """A salted scrypt hash in the form `scrypt$n$r$p$salt$hash`."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_LEN)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


# Compared against when the e-mail is unknown, so a login takes as long whether or not the account exists.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches the stored hash (constant-time); False for a missing or malformed hash."""
    try:
        scheme, n, r, p, salt, digest = (stored or _DUMMY_HASH).split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected) and stored is not None


def new_api_token() -> str:
    """A fresh API token; shown to the merchant once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored for an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    """The first characters of a token, stored so the merchant can tell tokens apart."""
    return token[:10]


def new_csrf_token() -> str:
    """A per-session CSRF token."""
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two tokens; False when either is missing."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def session_key(secret_key: str) -> str:
    """The cookie-signing key, derived from the operator's secret key (never the key itself)."""
    return hmac.new(secret_key.encode(), b"feedbridge session cookie v1", hashlib.sha256).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the password hash kept in the session: changing the password ends other sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]
